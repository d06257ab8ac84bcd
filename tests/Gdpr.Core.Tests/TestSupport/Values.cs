using System.Globalization;
using Gdpr.Encryption;

namespace Gdpr.Core.Tests.TestSupport;

public enum ByteTier : byte
{
    Bronze = 1,
    Gold = 255,
}

public enum SignedMood : sbyte
{
    Grumpy = -5,
    Happy = 7,
}

public enum LongRange : long
{
    None = 0,
    Top = long.MinValue,
    Max = long.MaxValue,
}

public enum UnsignedBig : ulong
{
    Max = ulong.MaxValue,
}

/// <summary>Every supported value type, with its edge values, by a stable name (so theory rows stay serializable).</summary>
internal static class Values
{
    public static readonly FieldEncryptionAlgorithm[] Algorithms = [FieldEncryptionAlgorithm.Aegis256, FieldEncryptionAlgorithm.Aes256Gcm];

    public static readonly IReadOnlyDictionary<string, object> Cases = new Dictionary<string, object>
    {
        ["string.empty"] = string.Empty,
        ["string.ascii"] = "jan.jansen@example.org",
        ["string.non-ascii"] = "Zoë Ünal – 日本語 – Ελληνικά – 😀🇳🇱",
        ["string.nul-inside"] = "before\0after",
        ["string.long"] = new string('x', 100_000),
        ["bytes.empty"] = Array.Empty<byte>(),
        ["bytes.one"] = new byte[] { 0x00 },
        ["bytes.all"] = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray(),
        ["bool.true"] = true,
        ["bool.false"] = false,
        ["byte.max"] = byte.MaxValue,
        ["byte.zero"] = (byte)0,
        ["sbyte.min"] = sbyte.MinValue,
        ["sbyte.max"] = sbyte.MaxValue,
        ["short.min"] = short.MinValue,
        ["short.max"] = short.MaxValue,
        ["ushort.max"] = ushort.MaxValue,
        ["int.min"] = int.MinValue,
        ["int.max"] = int.MaxValue,
        ["int.minus-one"] = -1,
        ["uint.max"] = uint.MaxValue,
        ["long.min"] = long.MinValue,
        ["long.max"] = long.MaxValue,
        ["ulong.max"] = ulong.MaxValue,
        ["float.pi"] = 3.14159274f,
        ["float.negative-zero"] = -0.0f,
        ["float.nan"] = float.NaN,
        ["float.epsilon"] = float.Epsilon,
        ["float.negative-infinity"] = float.NegativeInfinity,
        ["double.pi"] = Math.PI,
        ["double.negative-zero"] = -0.0d,
        ["double.nan"] = double.NaN,
        ["double.min"] = double.MinValue,
        ["double.epsilon"] = double.Epsilon,
        ["decimal.zero"] = 0m,
        ["decimal.scale-2"] = 1.50m,
        ["decimal.scale-1-vs-0"] = 1.0m,
        ["decimal.negative"] = -123.4567m,
        ["decimal.max"] = decimal.MaxValue,
        ["decimal.min"] = decimal.MinValue,
        ["decimal.scale-28"] = 0.0000000000000000000000000001m,
        ["decimal.negative-zero-scaled"] = decimal.Parse("-0.000", CultureInfo.InvariantCulture),
        ["char.ascii"] = 'a',
        ["char.non-ascii"] = 'é',
        ["char.nul"] = '\0',
        ["char.max"] = char.MaxValue,
        ["datetime.utc"] = new DateTime(2024, 2, 29, 23, 59, 59, 999, DateTimeKind.Utc).AddTicks(9999),
        ["datetime.local"] = new DateTime(2026, 3, 29, 2, 30, 0, DateTimeKind.Local),
        ["datetime.unspecified"] = new DateTime(1970, 1, 1, 0, 0, 0, DateTimeKind.Unspecified),
        ["datetime.min"] = DateTime.MinValue,
        ["datetime.max-utc"] = DateTime.SpecifyKind(DateTime.MaxValue, DateTimeKind.Utc),
        ["datetimeoffset.utc"] = new DateTimeOffset(2026, 11, 28, 8, 30, 0, TimeSpan.Zero),
        ["datetimeoffset.plus-14"] = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(14)),
        ["datetimeoffset.minus-14"] = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.FromHours(-14)),
        ["datetimeoffset.plus-5-45"] = new DateTimeOffset(2026, 6, 15, 12, 0, 0, new TimeSpan(5, 45, 0)),
        ["datetimeoffset.minus-3-30"] = new DateTimeOffset(2026, 6, 15, 12, 0, 0, new TimeSpan(-3, -30, 0)),
        ["datetimeoffset.min"] = DateTimeOffset.MinValue,
        ["datetimeoffset.max"] = DateTimeOffset.MaxValue,
        ["dateonly.min"] = DateOnly.MinValue,
        ["dateonly.max"] = DateOnly.MaxValue,
        ["dateonly.birthday"] = new DateOnly(1984, 2, 29),
        ["timeonly.min"] = TimeOnly.MinValue,
        ["timeonly.max"] = TimeOnly.MaxValue,
        ["timespan.min"] = TimeSpan.MinValue,
        ["timespan.max"] = TimeSpan.MaxValue,
        ["timespan.negative"] = TimeSpan.FromTicks(-1),
        ["guid.empty"] = Guid.Empty,
        ["guid.value"] = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ["guid.all-bits"] = Guid.AllBitsSet,
        ["enum.int"] = DayOfWeek.Saturday,
        ["enum.byte"] = ByteTier.Gold,
        ["enum.sbyte-negative"] = SignedMood.Grumpy,
        ["enum.long-min"] = LongRange.Top,
        ["enum.ulong-max"] = UnsignedBig.Max,
        ["enum.undefined-value"] = (DayOfWeek)42,
    };

    /// <summary>(algorithm, case) for every algorithm and every case: the NSec style of one theory over all algorithms.</summary>
    public static TheoryData<FieldEncryptionAlgorithm, string> AlgorithmsTimesCases()
    {
        var data = new TheoryData<FieldEncryptionAlgorithm, string>();
        foreach (var algorithm in Algorithms)
        {
            foreach (var name in Cases.Keys)
            {
                data.Add(algorithm, name);
            }
        }

        return data;
    }

    public static TheoryData<FieldEncryptionAlgorithm> AllAlgorithms()
    {
        var data = new TheoryData<FieldEncryptionAlgorithm>();
        foreach (var algorithm in Algorithms)
        {
            data.Add(algorithm);
        }

        return data;
    }

    /// <summary>
    /// Strict equality: same runtime type and the same bits. <c>Equals</c> alone would miss a lost DateTime kind,
    /// DateTimeOffset offset, decimal scale or the sign of a floating-point zero.
    /// </summary>
    public static void AssertIdentical(object expected, object? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.GetType(), actual.GetType());
        switch (expected)
        {
            case byte[] b:
                Assert.Equal(b, (byte[])actual);
                break;
            case DateTime d:
                Assert.Equal(d.Ticks, ((DateTime)actual).Ticks);
                Assert.Equal(d.Kind, ((DateTime)actual).Kind);
                break;
            case DateTimeOffset d:
                Assert.Equal(d.Ticks, ((DateTimeOffset)actual).Ticks);
                Assert.Equal(d.Offset, ((DateTimeOffset)actual).Offset);
                break;
            case decimal m:
                Assert.Equal(decimal.GetBits(m), decimal.GetBits((decimal)actual));
                break;
            case double x:
                Assert.Equal(BitConverter.DoubleToInt64Bits(x), BitConverter.DoubleToInt64Bits((double)actual));
                break;
            case float x:
                Assert.Equal(BitConverter.SingleToInt32Bits(x), BitConverter.SingleToInt32Bits((float)actual));
                break;
            default:
                Assert.Equal(expected, actual);
                break;
        }
    }
}
