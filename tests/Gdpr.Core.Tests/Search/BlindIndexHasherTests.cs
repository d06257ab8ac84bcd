using System.Security.Cryptography;
using Gdpr.Search;

namespace Gdpr.Core.Tests.Search;

public sealed class BlindIndexHasherTests
{
    private static readonly BlindIndexDefinition Phone = new("Customer", "phone", ["Phone"], [BlindIndexNormalization.PhoneNumber], 16);

    private static BlindIndexHasher NewHasher(byte[]? root = null) => new(root ?? RandomNumberGenerator.GetBytes(32), "NL");

    [Fact]
    public void OneNumberInThreeNotations_HasOneIndexValue()
    {
        using var hasher = NewHasher();
        var values = new[] { "020 123 4567", "+31 20 123 45 67", "0031201234567" }.Select(v => hasher.Compute(Phone, [v])).Distinct().ToList();
        Assert.Single(values);
        Assert.NotNull(values[0]);
    }

    [Fact]
    public void EqualInput_InAnotherMemberIndexOrTable_GivesAnUnrelatedValue()
    {
        // Domain separation: the derivation label holds entity, index and members. With 32 bits a chance equality of
        // the four values is one in 2^32 per pair; the assertion is over 200 inputs, so a collision means no separation.
        using var hasher = NewHasher();
        BlindIndexDefinition[] indexes =
        [
            new("Customer", "contact", ["Email"], [BlindIndexNormalization.Exact], 32),
            new("Customer", "contact", ["WorkEmail"], [BlindIndexNormalization.Exact], 32),
            new("Customer", "contact2", ["Email"], [BlindIndexNormalization.Exact], 32),
            new("Supplier", "contact", ["Email"], [BlindIndexNormalization.Exact], 32),
        ];
        for (var i = 0; i < 200; i++)
        {
            var input = $"person{i}@example.nl";
            Assert.Equal(indexes.Length, indexes.Select(index => hasher.Compute(index, [input])).Distinct().Count());
        }
    }

    [Fact]
    public void AnotherRootKey_GivesUnrelatedValues()
    {
        var root = RandomNumberGenerator.GetBytes(32);
        using var first = NewHasher(root);
        using var again = NewHasher(root);
        using var other = NewHasher();
        var index = Phone with { Bits = 32 };
        var same = 0;
        for (var i = 0; i < 100; i++)
        {
            var number = $"06 1234 {i:D4}";
            Assert.Equal(first.Compute(index, [number]), again.Compute(index, [number]));
            same += first.Compute(index, [number]) == other.Compute(index, [number]) ? 1 : 0;
        }

        Assert.Equal(0, same);
    }

    [Fact]
    public void CompoundParts_AreLengthPrefixed_SoTheyCannotRunIntoEachOther()
    {
        using var hasher = NewHasher();
        var postcodeHouse = new BlindIndexDefinition(
            "Customer", "postcode_house", ["Postcode", "HouseNumber"], [BlindIndexNormalization.CaseInsensitiveText, BlindIndexNormalization.CaseInsensitiveText], 32);

        Assert.NotEqual(hasher.Compute(postcodeHouse, ["1234ab", "12"]), hasher.Compute(postcodeHouse, ["1234ab1", "2"]));
        Assert.Equal(hasher.Compute(postcodeHouse, ["1234 AB", "12"]), hasher.Compute(postcodeHouse, [" 1234 ab", "12 "]));
        Assert.Null(hasher.Compute(postcodeHouse, ["1234 AB", null]));
    }

    [Fact]
    public void Values_FitTheirBits_AndSpreadOverThem()
    {
        // 100,000 distinct numbers into 15 bits (the plan for 100,000 rows): about three rows per index value, and
        // nearly every one of the 32,768 values in use (a value outside the range, or a clustered hash, fails here).
        using var hasher = NewHasher();
        var index = Phone with { Bits = BlindIndexPlanner.PlanBits(100_000) };
        var counts = new Dictionary<long, int>();
        for (var i = 0; i < 100_000; i++)
        {
            var value = hasher.Compute(index, [$"+31 6 {10_000_000 + i}"])!.Value;
            Assert.InRange(value, 0, (1L << index.Bits) - 1);
            counts[value] = counts.GetValueOrDefault(value) + 1;
        }

        Assert.Equal(15, index.Bits);
        Assert.True(counts.Count > 0.9 * (1 << 15), $"{counts.Count} of {1 << 15} index values in use");
        Assert.True(counts.Values.Max() < 20, $"one index value is shared by {counts.Values.Max()} rows");
    }

    [Fact]
    public void ADisposedHasher_RefusesToCompute()
    {
        var hasher = NewHasher();
        hasher.Dispose();
        Assert.Throws<ObjectDisposedException>(() => hasher.Compute(Phone, ["020 123 4567"]));
    }
}
