using CsCheck;
using Gdpr.Search;

namespace Gdpr.Core.Tests.Search;

public sealed class BlindIndexPlannerTests
{
    [Theory]
    [InlineData(100_000L, 15)]
    [InlineData(1_000_000L, 18)]
    [InlineData(1_000L, 8)]
    [InlineData(2L, 1)]
    [InlineData(1L, 1)]
    public void PlansTheMostBitsThatLeaveAtLeastTwoRowsPerValue(long rows, int bits)
        => Assert.Equal(bits, BlindIndexPlanner.PlanBits(rows));

    [Fact]
    public void EveryPlan_KeepsTheCoincidencesBetweenTwoAndTheRootOfTheRows()
        => Gen.Long[16, 1L << 40].Sample(rows =>
        {
            var coincidences = BlindIndexPlanner.ExpectedCoincidences(rows, BlindIndexPlanner.PlanBits(rows));
            return coincidences >= 2 && coincidences < Math.Sqrt(rows);
        });

    [Fact]
    public void OtherIndexesOnTheMember_ShareTheBits()
    {
        // Two indexes on one member leak together: their bits add up, and the plan leaves the sum within the rule.
        var first = BlindIndexPlanner.PlanBits(1_000_000, bitsOfOtherIndexes: 8);
        Assert.Equal(10, first);
        Assert.True(BlindIndexPlanner.ExpectedCoincidences(1_000_000, first + 8) >= 2);

        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => BlindIndexPlanner.PlanBits(1_000, bitsOfOtherIndexes: 8));
        Assert.Contains("1000 expected rows", ex.Message);
    }
}
