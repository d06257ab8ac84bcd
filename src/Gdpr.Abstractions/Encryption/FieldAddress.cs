namespace Gdpr.Encryption;

/// <summary>
/// Says which value an envelope holds: whose (the subject), under which key (the retention scope) and where (the
/// field). Every ciphertext is bound to all three, so one copied to another subject's row or another column
/// fails to decrypt.
/// </summary>
/// <param name="SubjectId">The data subject's id.</param>
/// <param name="Scope">The retention scope (the retention policy's name).</param>
/// <param name="Field">The field's stable identity, for example <c>Customer.Email</c>.</param>
public readonly record struct FieldAddress(string SubjectId, string Scope, string Field)
{
    /// <summary>Returns the field identity and scope, never the subject id (which is personal data).</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => $"{Field} (scope {Scope})";
}
