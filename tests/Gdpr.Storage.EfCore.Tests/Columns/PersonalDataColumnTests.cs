using System.Text;
using Gdpr.Storage.EfCore.Columns;

namespace Gdpr.Storage.EfCore.Tests.Columns;

/// <summary>The personal-data column's framing (docs/envelope.md): envelopes are opaque bytes here.</summary>
public sealed class PersonalDataColumnTests
{
    private static readonly byte[] Email = Encoding.UTF8.GetBytes("Email");
    private static readonly byte[] Name = Encoding.UTF8.GetBytes("Name");
    private static readonly byte[] Phone = Encoding.UTF8.GetBytes("Phone");

    [Fact]
    public void Write_ThenFind_InOrder_EachEntryStartsWhereThePreviousEnded()
    {
        var column = PersonalDataColumn.Write([(Email, Bytes(1, 70)), (Name, Bytes(2, 90)), (Phone, Bytes(3, 75))])!;
        Assert.Equal(PersonalDataColumn.FormatVersion, column[0]);

        var cursor = 0;
        foreach (var (name, fill, length) in new[] { (Email, 1, 70), (Name, 2, 90), (Phone, 3, 75) })
        {
            var before = cursor;
            Assert.True(PersonalDataColumn.TryFind(column, name, ref cursor, out var range));
            Assert.Equal(Bytes(fill, length), column[range]);
            Assert.Equal(range.End.Value, cursor);
            Assert.True(range.Start.Value > before);
        }

        Assert.Equal(column.Length, cursor);
    }

    [Fact]
    public void Find_OutOfOrder_StillFindsEveryEntry_ByName()
    {
        // Members can be reordered, added or removed in code; rows written before must still read.
        var column = PersonalDataColumn.Write([(Phone, Bytes(3, 5)), (Email, Bytes(1, 5))])!;
        var cursor = 0;
        Assert.True(PersonalDataColumn.TryFind(column, Email, ref cursor, out var email));
        Assert.True(PersonalDataColumn.TryFind(column, Phone, ref cursor, out var phone)); // before the cursor: wraps around
        Assert.Equal(Bytes(1, 5), column[email]);
        Assert.Equal(Bytes(3, 5), column[phone]);
        Assert.False(PersonalDataColumn.TryFind(column, Name, ref cursor, out _)); // a member without an entry is null
    }

    [Fact]
    public void EmptyEnvelope_IsAnEntry_DistinctFromNoEntry()
    {
        // An erasure's replacement marker is an entry with no envelope; a null value has no entry at all.
        var column = PersonalDataColumn.Write([(Email, ReadOnlyMemory<byte>.Empty)])!;
        var cursor = 0;
        Assert.True(PersonalDataColumn.TryFind(column, Email, ref cursor, out var range));
        Assert.Equal(0, range.End.Value - range.Start.Value);
        Assert.False(PersonalDataColumn.TryFind(column, Name, ref cursor, out _));
    }

    [Fact]
    public void NoEntries_IsNull_AndZeroBytesReadAsNoEntries()
    {
        Assert.Null(PersonalDataColumn.Write([]));
        var cursor = 0;
        Assert.False(PersonalDataColumn.TryFind([], Email, ref cursor, out _));
        Assert.Empty(PersonalDataColumn.ReadAll(null));
        Assert.Empty(PersonalDataColumn.ReadAll([]));
    }

    [Theory]
    [InlineData(127)]
    [InlineData(128)]
    [InlineData(16_384)]
    [InlineData(1_000_000)]
    public void LongEnvelopes_RoundTrip_AcrossLengthPrefixSizes(int length)
    {
        var column = PersonalDataColumn.Write([(Name, Bytes(7, length)), (Email, Bytes(8, 3))])!;
        var all = PersonalDataColumn.ReadAll(column);
        Assert.Equal([Name, Email], all.Select(e => e.Name));
        Assert.Equal(Bytes(7, length), all[0].Envelope.ToArray());
        Assert.Equal(Bytes(8, 3), all[1].Envelope.ToArray());
    }

    [Fact]
    public void ReadAll_ThenWrite_ReproducesTheColumn()
    {
        var column = PersonalDataColumn.Write([(Email, Bytes(1, 70)), (Name, ReadOnlyMemory<byte>.Empty), (Phone, Bytes(3, 200))])!;
        Assert.Equal(column, PersonalDataColumn.Write(PersonalDataColumn.ReadAll(column)));
    }

    public static TheoryData<byte[]> Malformed => new()
    {
        { [2, 5, .. "Email"u8, 1, 0] }, // unknown format byte
        { [1, 5, .. "Ema"u8] }, // truncated inside a name
        { [1, 5, .. "Email"u8, 9, 1, 2] }, // envelope length past the end
        { [1, 5, .. "Email"u8, 0x80] }, // length prefix cut off
        { [1, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01] }, // length prefix over five bytes
        { [1, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F] }, // length over int.MaxValue
        { [1, 0x83, 0x80, 0x80, 0x80, 0x10, .. "Pho"u8, 1, 0] }, // bit 32 set: the old decoder dropped it, read 3 and parsed "Pho"
        { [1, 0x80, 0x80, 0x80, 0x80, 0x08] }, // bit 31: over int.MaxValue
        { [1, 0x85, 0x00, .. "Phone"u8, 1, 0] }, // name length 5 in two bytes: not the shortest form
        { [1, 5, .. "Phone"u8, 0x81, 0x80, 0x00, 0] }, // value length 1 in three bytes
        { [1, 5, .. "Phone"u8, 0x80, 0x00] }, // value length 0 in two bytes
    };

    // Only the canonical encoding is accepted, so one framing has one byte string: a decoder that reads
    // "83 80 80 80 10" as 3 lets an edited column pass for another (docs/envelope.md).
    [Fact]
    public void CanonicalLengths_StillRead_AtEverySizeBoundary()
    {
        foreach (var length in new[] { 0, 1, 127, 128, 16_383, 16_384 })
        {
            var column = PersonalDataColumn.Write([(Phone, new byte[length])])!;
            var cursor = 0;
            Assert.True(PersonalDataColumn.TryFind(column, Phone, ref cursor, out var found));
            Assert.Equal(length, found.End.Value - found.Start.Value);
        }
    }

    [Fact]
    public void ReadEnvelopes_ScopeNameThatIsNotUtf8_IsAFormatException_NotU_FFFD()
    {
        // Two different invalid names used to decode to the same "\uFFFD" scope.
        byte[] first = [1, 1, 0xFF, 1, 9];
        byte[] second = [1, 1, 0xFE, 1, 9];
        Assert.Throws<FormatException>(() => GdprEfCore.ReadEnvelopes(first));
        Assert.Throws<FormatException>(() => GdprEfCore.ReadEnvelopes(second));
        Assert.Equal(["default"], GdprEfCore.ReadEnvelopes([1, 7, .. "default"u8, 1, 9]).Keys);
    }

    [Theory]
    [MemberData(nameof(Malformed))]
    public void MalformedColumn_IsAFormatException_NeverAnOutOfRangeRead(byte[] column)
    {
        var cursor = 0;
        Assert.Throws<FormatException>(() => PersonalDataColumn.TryFind(column, Phone, ref cursor, out _));
        Assert.Throws<FormatException>(() => PersonalDataColumn.ReadAll(column));
    }

    private static byte[] Bytes(int fill, int length) => Enumerable.Repeat((byte)fill, length).ToArray();
}
