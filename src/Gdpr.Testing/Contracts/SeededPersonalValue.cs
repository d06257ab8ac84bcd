namespace Gdpr.Testing;

/// <summary>One personal value a <see cref="PersonalDataSourceContractTests"/> subclass wrote for a subject.</summary>
/// <param name="Entity">The entity (table, document type) as the source's export names it.</param>
/// <param name="Member">The member (column, field) as the source's export names it.</param>
/// <param name="Scope">The value's retention policy (key scope).</param>
/// <param name="Value">The value written: the export must return it decrypted (byte arrays compare by content).</param>
public sealed record SeededPersonalValue(string Entity, string Member, string Scope, object Value);
