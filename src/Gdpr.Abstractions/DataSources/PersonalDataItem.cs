using System.Text;
using Gdpr.Internal;

namespace Gdpr.DataSources;

/// <summary>One personal-data value of one subject, as a data source exports it.</summary>
public sealed record PersonalDataItem
{
    /// <summary>Prints every member, the collections' contents included (see <see cref="RecordText"/>).</summary>
    private bool PrintMembers(StringBuilder builder) => RecordText.PrintMembers(this, builder, nameof(SubjectId), nameof(Value));

    /// <summary>Gets the name of the source that holds it.</summary>
    public required string Source { get; init; }

    /// <summary>Gets the entity (type or table) that holds it, for example <c>Customer</c>.</summary>
    public required string Entity { get; init; }

    /// <summary>
    /// Gets the id of the subject the value belongs to, when the source sets it (optional). The export checks it
    /// against the subject asked for and fails rather than let another subject's value into a copy (GDPR Art. 15(4)).
    /// </summary>
    public string? SubjectId { get; init; }

    /// <summary>Gets the key of the row within the entity, as text (not personal data), or <see langword="null"/>.</summary>
    public string? RecordKey { get; init; }

    /// <summary>Gets the member, for example <c>Email</c>.</summary>
    public required string Member { get; init; }

    /// <summary>Gets the category identifier, for example <c>contact.email</c>.</summary>
    public required string Category { get; init; }

    /// <summary>Gets the purposes the value is processed for.</summary>
    public IReadOnlyList<string> Purposes { get; init; } = [];

    /// <summary>Gets the retention policy (and key scope) the value falls under.</summary>
    public required string RetentionPolicy { get; init; }

    /// <summary>Gets the lawful basis the value is processed on (GDPR Art. 6(1)).</summary>
    public LawfulBasis LawfulBasis { get; init; }

    /// <summary>Gets whether the subject provided the value (for the portability subset, GDPR Art. 20).</summary>
    public bool ProvidedBySubject { get; init; } = true;

    /// <summary>Gets whether the value was erased (its key destroyed); <see cref="Value"/> is then <see langword="null"/>.</summary>
    public bool IsErased { get; init; }

    /// <summary>
    /// Gets the decrypted value (string, byte[], a number, a date, ...), or <see langword="null"/>. A <c>byte[]</c>
    /// value is a file (a call recording, an attachment): exports put it in the package as a file.
    /// </summary>
    public object? Value { get; init; }

    /// <summary>Gets when the value was collected, where known.</summary>
    public DateTimeOffset? CollectedAt { get; init; }

    /// <summary>Gets when the value last changed, where known.</summary>
    public DateTimeOffset? ModifiedAt { get; init; }
}
