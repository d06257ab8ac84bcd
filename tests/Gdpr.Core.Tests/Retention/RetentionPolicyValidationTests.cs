using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gdpr.Core.Tests.Retention;

public class RetentionPolicyValidationTests
{
    [Fact]
    public void Start_DuplicatePolicyNames_FailsNamingThePolicy()
    {
        var message = StartWith(new RetentionPolicy { Name = "tax", Years = 7 }, new RetentionPolicy { Name = "tax", Years = 10 });
        Assert.Contains("'tax' is configured more than once", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_NegativePeriod_Fails()
    {
        var message = StartWith(new RetentionPolicy { Name = "calls", Days = -30 });
        Assert.Contains("'calls' has a negative period", message, StringComparison.Ordinal);
    }

    // Art. 17(3)(b) only protects data a law obliges keeping: the policy must say which law.
    [Fact]
    public void Start_LegalObligationWithoutLegalBasis_Fails()
    {
        var message = StartWith(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true });
        Assert.Contains("'tax' is a legal obligation but names no legal basis", message, StringComparison.Ordinal);
    }

    [Fact]
    public void Start_ValidPolicies_AndTheImplicitDefault_Pass()
    {
        var services = new ServiceCollection();
        services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores()
            .AddRetentionPolicy(new RetentionPolicy { Name = "tax", Years = 7, Clock = RetentionClock.RelationshipEnd, IsLegalObligation = true, LegalBasis = "AWR art. 52" });
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptions<GdprOptions>>().Value;

        Assert.Equal("tax", Assert.Single(options.RetentionPolicies).Name);
    }

    [Fact]
    public void HasPeriod_ZeroPeriod_IsFalse_AndExpiryIsTheStart()
    {
        var policy = new RetentionPolicy { Name = "default" };
        var start = new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero);
        Assert.False(policy.HasPeriod);
        Assert.True((policy with { Days = 1 }).HasPeriod);
        Assert.Equal(new DateTimeOffset(2026, 2, 28, 0, 0, 0, TimeSpan.Zero), (policy with { Months = 1 }).GetExpiry(start));
    }

    private static string StartWith(params RetentionPolicy[] policies)
    {
        var services = new ServiceCollection();
        var builder = services.AddGdpr(o => o.PseudonymKey = new byte[32]).UseInMemoryStores();
        foreach (var policy in policies)
        {
            builder.AddRetentionPolicy(policy);
        }

        using var provider = services.BuildServiceProvider();
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<GdprOptions>>().Value).Message;
    }
}
