namespace Gdpr.Search;

/// <summary>One declared blind index: its entity, name, members in order with their normalizations, and its planned bits.</summary>
/// <param name="Entity">The entity's name (as the model names it).</param>
/// <param name="Name">The index's name, unique within the entity.</param>
/// <param name="Members">The members, in compound order.</param>
/// <param name="Normalizations">Each member's normalization, in the same order.</param>
/// <param name="Bits">The index's length in bits (<see cref="BlindIndexPlanner"/>).</param>
internal sealed record BlindIndexDefinition(
    string Entity, string Name, IReadOnlyList<string> Members, IReadOnlyList<BlindIndexNormalization> Normalizations, int Bits)
{
    /// <summary>The key-derivation label: entity, index and members, so that equal inputs in two members, indexes or tables give unrelated values.</summary>
    public byte[] DerivationInfo()
    {
        var text = "gdpr.blind-index.v1\0" + Entity + "\0" + Name + "\0" + string.Join('\u001f', Members);
        return Gdpr.Internal.StrictUtf8.Encoding.GetBytes(text);
    }
}
