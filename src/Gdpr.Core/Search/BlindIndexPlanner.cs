namespace Gdpr.Search;

/// <summary>
/// Plans a blind index's length: enough bits that a lookup brings few false candidates, few enough that every index
/// value is shared by several rows, so that equal index values do not prove equal plaintexts.
/// </summary>
/// <remarks>
/// The rule is CipherSweet's: with <c>R</c> rows and <c>B</c> bits of index over one member (every index on it
/// counted), the expected number of rows per index value, <c>R / 2^B</c>, lies between 2 and <c>√R</c>. The planner
/// takes the most bits that keep it at 2 or more (fewest false candidates). docs/search.md explains the leakage.
/// </remarks>
public static class BlindIndexPlanner
{
    /// <summary>The expected row count used when an index declares none.</summary>
    public const long DefaultExpectedRows = 100_000;

    /// <summary>The most bits an index has, whatever the row count (an index value is stored as a 32-bit integer).</summary>
    public const int MaxBits = 32;

    /// <summary>Plans the bits of one index.</summary>
    /// <param name="expectedRows">How many rows the table is expected to hold; at least 1.</param>
    /// <param name="bitsOfOtherIndexes">The bits of the other indexes over the same member, which leak together with this one.</param>
    /// <returns>The index's length in bits, at least 1.</returns>
    /// <exception cref="ArgumentOutOfRangeException">
    /// The other indexes already use every bit the row count allows (the index would single rows out).
    /// </exception>
    public static int PlanBits(long expectedRows, int bitsOfOtherIndexes = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(expectedRows, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(bitsOfOtherIndexes);

        // The most total bits B with R / 2^B >= 2: floor(log2(R)) - 1.
        var total = Math.Max(1, (63 - (int)long.LeadingZeroCount(expectedRows)) - 1);
        var bits = total - bitsOfOtherIndexes;
        if (bits < 1)
        {
            throw new ArgumentOutOfRangeException(
                nameof(bitsOfOtherIndexes),
                $"With {expectedRows} expected rows a member's indexes may have {total} bits together; the other indexes already have {bitsOfOtherIndexes}.");
        }

        return Math.Min(bits, MaxBits);
    }

    /// <summary>The expected number of rows that share one index value.</summary>
    /// <param name="expectedRows">The expected row count.</param>
    /// <param name="bits">The bits of every index over the member together.</param>
    /// <returns><c>rows / 2^bits</c>.</returns>
    public static double ExpectedCoincidences(long expectedRows, int bits) => expectedRows / Math.Pow(2, bits);
}
