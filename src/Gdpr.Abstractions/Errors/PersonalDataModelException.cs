namespace Gdpr;

/// <summary>
/// An annotated type or value breaks the rules: no or several <see cref="DataSubjectIdAttribute"/> members, an
/// annotated key, an unsupported member type, a missing subject id. Names the type and member.
/// </summary>
public sealed class PersonalDataModelException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="PersonalDataModelException"/> class.</summary>
    /// <param name="entity">The type's name.</param>
    /// <param name="member">The member's name, or <see langword="null"/> when the problem is the type's.</param>
    /// <param name="message">What is wrong, free of personal data.</param>
    public PersonalDataModelException(string entity, string? member, string message)
        : base(member is null ? $"{entity}: {message}" : $"{entity}.{member}: {message}")
    {
        Entity = entity;
        Member = member;
    }

    /// <summary>Gets the type's name.</summary>
    public string Entity { get; }

    /// <summary>Gets the member's name, if the problem is a member's.</summary>
    public string? Member { get; }
}
