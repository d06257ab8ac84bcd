using Gdpr.Storage.EfCore.Columns;

namespace Gdpr.Storage.EfCore.Tests;

public class AdapterIdentityTests
{
    [Fact]
    public void SourceName_Is_Stable_For_Exports() => Assert.Equal("efcore", GdprEfCore.SourceName);

    // Column names are part of every application's database schema: a change needs a migration.
    [Fact]
    public void PersonalDataColumn_Is_Stable_For_Schemas() => Assert.Equal("PersonalData$gdpr", GdprEfCore.PersonalDataColumn);

    [Fact]
    public void ReadEnvelopes_SplitsAColumn_ByMemberName_WithoutDecrypting()
    {
        var column = PersonalDataColumn.Write([("Email"u8.ToArray(), new byte[] { 1, 2, 3 }), ("Naam"u8.ToArray(), ReadOnlyMemory<byte>.Empty)]);

        var envelopes = GdprEfCore.ReadEnvelopes(column);

        Assert.Equal(["Email", "Naam"], envelopes.Keys.Order());
        Assert.Equal([1, 2, 3], envelopes["Email"].ToArray());
        Assert.True(envelopes["Naam"].IsEmpty); // replaced by an erasure
        Assert.Empty(GdprEfCore.ReadEnvelopes(null));
        Assert.Throws<FormatException>(() => GdprEfCore.ReadEnvelopes([9, 9]));
        Assert.Throws<FormatException>(() => GdprEfCore.ReadEnvelopes(PersonalDataColumn.Write([("Email"u8.ToArray(), new byte[] { 1 }), ("Email"u8.ToArray(), new byte[] { 2 })])));
    }
}
