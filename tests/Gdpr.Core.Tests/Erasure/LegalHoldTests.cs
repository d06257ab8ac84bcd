using System.Text.Json;
using Gdpr.Erasure;

namespace Gdpr.Core.Tests.Erasure;

public class LegalHoldTests
{
    private const string Subject = "cust-claim-1";

    // GDPR Art. 17(3)(e): a hold for a legal claim keeps everything, the erasure says so, the sweeper waits for the release.
    [Fact]
    public async Task Hold_BlocksErasureAndSweeperUntilReleased_Art17_3_e()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        var hold = await host.Holds.PlaceHoldAsync(Subject, "claim 2026-113");

        var result = await host.Erasure.EraseAsync(Subject);

        Assert.True(result.IsComplete);
        Assert.Equal(hold.Id, Assert.Single(result.Holds).Id);
        Assert.All(result.Scopes, s => Assert.Equal(ScopeErasureStatus.Held, s.Status));
        Assert.Equal(ErasureTestHost.Day0.AddYears(7), result.Scopes.Single(s => s.Scope == Policies.Tax).RetainedUntil);
        Assert.Equal(4, (await host.ReadableAsync(Subject)).Count);
        Assert.NotEmpty(host.Crm.SearchIndexTokens(Subject));
        using (var certificate = JsonDocument.Parse(result.Certificate!.Json))
        {
            Assert.Equal("claim 2026-113", certificate.RootElement.GetProperty("holds")[0].GetProperty("reason").GetString());
            Assert.Equal(3, certificate.RootElement.GetProperty("held").GetArrayLength());
            Assert.Equal(0, certificate.RootElement.GetProperty("destroyed").GetArrayLength());
        }

        host.Time.Advance(TimeSpan.FromDays(30));
        var whileHeld = await host.Sweeper.SweepAsync();
        Assert.Equal(0, whileHeld.Destroyed);
        Assert.Equal(2, whileHeld.SkippedForHolds); // default and marketing are due at once; tax is not due yet
        Assert.Equal(4, (await host.ReadableAsync(Subject)).Count);

        Assert.True(await host.Holds.ReleaseHoldAsync(Subject, hold.Id));
        var afterRelease = await host.Sweeper.SweepAsync();

        Assert.Equal(2, afterRelease.Destroyed);
        Assert.Equal(0, afterRelease.SkippedForHolds);
        Assert.False(await host.IsReadableAsync(Subject, Policies.Marketing));
        Assert.False(await host.IsReadableAsync(Subject, PersonalDataAttribute.DefaultRetentionPolicy));
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax)); // Art. 17(3)(b) still applies after the hold

        var again = await host.Erasure.EraseAsync(Subject);
        Assert.Empty(again.Holds);
        Assert.Empty(host.Crm.SearchIndexTokens(Subject));
        Assert.Equal(ScopeErasureStatus.Retained, again.Scopes.Single(s => s.Scope == Policies.Tax).Status);
    }

    // Art. 17(3)(e) outlasts Art. 17(3)(b): a tax record whose seven years ended stays while a claim holds it.
    [Fact]
    public async Task Hold_KeepsAnExpiredTaxScopeFromTheSweeper_UntilReleased()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        await host.Erasure.EraseAsync(Subject);
        var hold = await host.Holds.PlaceHoldAsync(Subject, "tax audit 2033");
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(8));

        var held = await host.Sweeper.SweepAsync();

        Assert.Equal(1, held.SkippedForHolds);
        Assert.True(await host.IsReadableAsync(Subject, Policies.Tax));
        await host.Holds.ReleaseHoldAsync(Subject, hold.Id);
        Assert.Equal(1, (await host.Sweeper.SweepAsync()).Destroyed);
        Assert.False(await host.IsReadableAsync(Subject, Policies.Tax));
    }

    [Fact]
    public async Task PlaceHoldAsync_WithTheInMemoryStore_WarnsThatTheHoldDoesNotSurviveARestart()
    {
        await using var host = ErasureTestHost.Create();
        var hold = await host.Holds.PlaceHoldAsync(Subject, "claim 8");
        var warning = Assert.Single(host.Logs.GetSnapshot(), r => r.Id.Id == 3022);
        Assert.Contains(hold.Id, warning.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Subject, warning.Message, StringComparison.Ordinal);
    }

    // Art. 17(3)(b) ends: once the sweeper destroyed the tax scope seven years on, a new erasure certifies it destroyed.
    [Fact]
    public async Task EraseAsync_AfterTheSweeperDestroyedTheRetainedScope_CertifiesItDestroyed()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);
        await host.Erasure.EraseAsync(Subject);
        host.Time.SetUtcNow(ErasureTestHost.Day0.AddYears(7));
        await host.Sweeper.SweepAsync();

        var final = await host.Erasure.EraseAsync(Subject);

        var tax = final.Scopes.Single(s => s.Scope == Policies.Tax);
        Assert.Equal((ScopeErasureStatus.Destroyed, 1, ErasureTestHost.Day0.AddYears(7)), (tax.Status, tax.KeyVersion, tax.DestroyedAt));
        using var certificate = JsonDocument.Parse(final.Certificate!.Json);
        Assert.Equal(3, certificate.RootElement.GetProperty("destroyed").GetArrayLength());
        Assert.Equal(0, certificate.RootElement.GetProperty("retained").GetArrayLength());
    }

    [Fact]
    public async Task ReleaseHoldAsync_UnknownOrAlreadyReleased_ReturnsFalse()
    {
        await using var host = ErasureTestHost.Create();
        var hold = await host.Holds.PlaceHoldAsync(Subject, "claim 7");
        Assert.False(await host.Holds.ReleaseHoldAsync(Subject, "hold-unknown"));
        Assert.True(await host.Holds.ReleaseHoldAsync(Subject, hold.Id));
        Assert.False(await host.Holds.ReleaseHoldAsync(Subject, hold.Id));
        Assert.Empty(await host.Holds.GetActiveHoldsAsync(Subject));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task PlaceHoldAsync_WithoutReason_ThrowsArgumentException(string reason)
    {
        await using var host = ErasureTestHost.Create();
        var ex = await Assert.ThrowsAsync<ArgumentException>(async () => await host.Holds.PlaceHoldAsync(Subject, reason));
        Assert.Equal("reason", ex.ParamName);
    }
}
