using System.Text.Json;
using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.Core.Tests.TestSupport;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Core.Tests.Erasure;

/// <summary>
/// An erasure result and its certificate say what was found and what was done, and never certify a destruction that
/// did not happen: GDPR Art. 17(1) (erasure) and Art. 5(2) (the controller must be able to demonstrate it).
/// </summary>
public class ErasureTruthTests
{
    private const string Subject = "cust-truth-1";

    private static readonly byte[] OtherPseudonymKey = [.. Enumerable.Range(101, 32).Select(i => (byte)i)];

    // Art. 5(2): the data was written under one pseudonym key; this environment has another. The key store holds the
    // subject's keys under the other pseudonym, so this one finds neither keys nor tombstones while the rows are there.
    [Fact]
    public async Task EraseAsync_WrongPseudonymKey_Art5_2_ReportsKeyMissingScopes_NoCertificate_DataUntouched()
    {
        var keyStore = new InMemorySubjectKeyStore();
        await using var right = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(keyStore));
        await right.SeedCustomerAsync(Subject);
        await using var wrong = ErasureTestHost.Create(
            wrapCrm: (_, _) => right.Crm,
            services: s => s.AddSingleton<ISubjectKeyStore>(keyStore),
            pseudonymKey: OtherPseudonymKey);

        ErasureResult result;
        try
        {
            result = await wrong.Erasure.EraseAsync(Subject);
        }
        catch (GdprException ex) when (ex is not PersonalDataIntegrityException)
        {
            // A start-up check of the pseudonym key (a key-check value in the key store) may refuse the environment
            // before any erasure: also never a certificate, and never reported as tampering.
            Assert.DoesNotContain(Subject, ex.Message, StringComparison.Ordinal);
            return;
        }

        AssertInconsistent(result, ["default", "marketing", "tax"]);
        Assert.Equal(4, right.Crm.RowCount);
        Assert.Equal(4, (await right.ReadableAsync(Subject)).Count); // everything still readable with the right key
        Assert.Equal(3, keyStore.Count);

        // With the right key the same request erases and certifies.
        var fixedUp = await right.Erasure.EraseAsync(Subject);
        Assert.Equal(ErasureOutcome.Erased, fixedUp.Outcome);
        Assert.NotNull(fixedUp.Certificate);
    }

    // Art. 5(2): the keys were lost (an empty key store over existing rows): unreadable perhaps, but not erased by us.
    [Fact]
    public async Task EraseAsync_KeysLost_Art5_2_ReportsKeyMissingScopes_NoCertificate_PartialAuditEntry()
    {
        await using var writer = ErasureTestHost.Create();
        await writer.SeedCustomerAsync(Subject);
        await using var lost = ErasureTestHost.Create(wrapCrm: (_, _) => writer.Crm);

        var result = await lost.Erasure.EraseAsync(Subject);

        AssertInconsistent(result, ["default", "marketing", "tax"]);
        var entries = new List<AuditEntry>();
        await foreach (var entry in lost.Audit.ReadAsync())
        {
            entries.Add(entry);
        }

        var summary = Assert.Single(entries);
        Assert.Equal(AuditKinds.ErasurePartial, summary.Kind);
        Assert.Equal(("inconsistent", "default,marketing,tax", "crm:4"), (summary.Details["outcome"], summary.Details["keyMissing"], summary.Details["rowsFound"]));
        Assert.Contains(lost.Logs.GetSnapshot(), r => r.Id.Id == 3006);
        Assert.DoesNotContain(lost.Logs.GetSnapshot(), r => r.Message.Contains(Subject, StringComparison.Ordinal));
    }

    // Art. 5(2): an id no source, no key and no tombstone knows gets an explicit "nothing found", and its certificate
    // says exactly that: no destroyed scope, outcome "nothing-found", read back as such by the verifier.
    [Fact]
    public async Task EraseAsync_UnknownSubject_Art5_2_OutcomeNothingFound_CertificateSaysSo_NoScheduleRow()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync("someone-else");

        var result = await host.Erasure.EraseAsync("never-existed-42");

        Assert.Equal(ErasureOutcome.NothingFound, result.Outcome);
        Assert.Empty(result.Scopes);
        Assert.Equal(KeyRemovalStatus.NotApplicable, result.PhysicalRemoval);
        var crm = Assert.Single(result.Sources);
        Assert.Equal((true, 0, 0, 0), (crm.Succeeded, crm.RowsFound, crm.RowsDeleted, crm.ValuesReplaced));
        Assert.NotNull(result.Certificate);
        using (var json = JsonDocument.Parse(result.Certificate.Json))
        {
            Assert.Equal("nothing-found", json.RootElement.GetProperty("outcome").GetString());
            Assert.Equal(0, json.RootElement.GetProperty("destroyed").GetArrayLength());
            Assert.Equal("not-applicable", json.RootElement.GetProperty("physicalRemoval").GetString());
        }

        var read = ErasureCertificateVerifier.VerifyAndRead(result.Certificate.Json.Span, result.Certificate.Signature.Span, host.Certificates.ExportPublicKeyPem());
        Assert.Equal(ErasureOutcome.NothingFound, read!.Outcome);
        Assert.Empty(read.DestroyedScopes);

        // Nothing was written for a subject that does not exist.
        var pseudonym = host.Services.GetRequiredService<ISubjectKeyManager>().GetPseudonym("never-existed-42");
        Assert.Null(await host.Services.GetRequiredService<IRetentionScheduleStore>().GetRelationshipEndAsync(pseudonym));
    }

    // The result names, per source, what was found before anything changed and what was done.
    [Fact]
    public async Task EraseAsync_NamesRowsAndScopesFoundPerSource_ThenWhatWasDone()
    {
        await using var host = ErasureTestHost.Create();
        await host.SeedCustomerAsync(Subject);

        var first = await host.Erasure.EraseAsync(Subject);
        var second = await host.Erasure.EraseAsync(Subject);

        Assert.Equal(ErasureOutcome.Erased, first.Outcome);
        var crm = Assert.Single(first.Sources);
        Assert.Equal((4, 1, 1), (crm.RowsFound, crm.RowsDeleted, crm.ValuesReplaced));
        Assert.Equal(["default", "marketing", "tax"], crm.ScopesFound.Order(StringComparer.Ordinal));

        // The retry finds what is left: the marketing row is gone, the nickname holds no value any more.
        var again = Assert.Single(second.Sources);
        Assert.Equal((3, 0, 0), (again.RowsFound, again.RowsDeleted, again.ValuesReplaced));
        Assert.Equal(["default", "tax"], again.ScopesFound.Order(StringComparer.Ordinal));
        Assert.Equal(ErasureOutcome.Erased, second.Outcome);
    }

    // Art. 17 / Art. 5(1)(f): the first attempt could not confirm that the destroyed keys' bytes are gone from the
    // store's files; the result and the certificate say "pending". The retry has nothing left to shred, yet it
    // completes the removal and says "removed".
    [Fact]
    public async Task EraseAsync_RemovalPendingAtFirst_ResultAndCertificateSayPending_RetryFinishesIt()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.SeedCustomerAsync(Subject);
        store!.Next = KeyRemovalStatus.Pending;

        var first = await host.Erasure.EraseAsync(Subject);

        Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.Pending, 1), (first.Outcome, first.PhysicalRemoval, store.Calls));
        Assert.Equal("pending", PhysicalRemoval(first));

        store.Next = KeyRemovalStatus.Removed;
        var retry = await host.Erasure.EraseAsync(Subject);

        Assert.Equal((KeyRemovalStatus.Removed, 2), (retry.PhysicalRemoval, store.Calls));
        Assert.Equal("removed", PhysicalRemoval(retry));
        Assert.Equal(first.Scopes.Where(s => s.Status == ScopeErasureStatus.Destroyed).Select(s => s.KeyVersion), retry.Scopes.Where(s => s.Status == ScopeErasureStatus.Destroyed).Select(s => s.KeyVersion));
    }

    // A removal that fails (the store is down after the shred) is reported pending, never as done.
    [Fact]
    public async Task EraseAsync_RemovalThrows_ReportsPending_AndStillCertifiesTheDestruction()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.SeedCustomerAsync(Subject);
        store!.Failure = new IOException("simulated outage after the shred");

        var result = await host.Erasure.EraseAsync(Subject);

        Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.Pending), (result.Outcome, result.PhysicalRemoval));
        Assert.Equal("pending", PhysicalRemoval(result));
        Assert.Contains(host.Logs.GetSnapshot(), r => r.Id.Id == 3007);
    }

    // Nothing destroyed (everything retained or held): there is nothing to remove, and the store is not asked.
    [Fact]
    public async Task EraseAsync_NothingDestroyed_RemovalNotApplicable_StoreNotAsked()
    {
        RemovalReportingKeyStore? store = null;
        await using var host = ErasureTestHost.Create(services: s => s.AddSingleton<ISubjectKeyStore>(_ => store = new RemovalReportingKeyStore(new InMemorySubjectKeyStore())));
        await host.SeedCustomerAsync(Subject);
        await host.Holds.PlaceHoldAsync(Subject, "claim 2026-113");

        var result = await host.Erasure.EraseAsync(Subject);

        Assert.Equal((ErasureOutcome.Erased, KeyRemovalStatus.NotApplicable, 0), (result.Outcome, result.PhysicalRemoval, store!.Calls));
    }

    private static void AssertInconsistent(ErasureResult result, string[] missing)
    {
        Assert.Equal(ErasureOutcome.Inconsistent, result.Outcome);
        Assert.False(result.IsComplete);
        Assert.Null(result.Certificate);
        Assert.Equal(missing, result.Scopes.Where(s => s.Status == ScopeErasureStatus.KeyMissing).Select(s => s.Scope));
        Assert.DoesNotContain(result.Scopes, s => s.Status == ScopeErasureStatus.Destroyed);
        var crm = Assert.Single(result.Sources);
        Assert.Equal((true, 4, 0, 0), (crm.Succeeded, crm.RowsFound, crm.RowsDeleted, crm.ValuesReplaced));
        Assert.Equal(missing, crm.ScopesFound.Order(StringComparer.Ordinal));
    }

    private static string? PhysicalRemoval(ErasureResult result)
    {
        using var json = JsonDocument.Parse(result.Certificate!.Json);
        return json.RootElement.GetProperty("physicalRemoval").GetString();
    }
}
