using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.Export;
using Gdpr.Requests;
using Gdpr.Storage.EfCore.Tests.Integration;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using static Gdpr.Tests.Shared.ExportPackages;

namespace Gdpr.Storage.EfCore.Tests.Requests;

/// <summary>
/// Rights carried out through the SDK's exporter and erasure service on the contact center's database, end to end:
/// the package and the certificate are attached to the request, the erased subject's values are unreadable, and the
/// request record (its own key, in the requests scope) survives the erasure it records (GDPR Art. 5(2)).
/// </summary>
public abstract class RequestExecutionTests : IDisposable
{
    protected const string Subject = "cust-exec";
    protected const string Other = "cust-bystander";

    private readonly SqliteTempFolder _packages = new("gdpr-request-packages-");

    protected string PackageDirectory => _packages.FullName;

    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    protected virtual void Dispose(bool disposing) => _packages.Dispose();

    protected abstract ServiceProvider Build(FakeTimeProvider time, Action<RequestOptions>? configure);

    protected async Task<ServiceProvider> SeededAsync(Action<RequestOptions>? configure = null)
    {
        var services = Build(new FakeTimeProvider(ContactCenterHost.Day0), o =>
        {
            o.PackageDirectory = PackageDirectory;
            configure?.Invoke(o);
        });
        await ContactCenterHost.CreateTablesAsync(services);
        await services.WithContextAsync(async db =>
        {
            foreach (var subject in new[] { Subject, Other })
            {
                db.Shoppers.Add(new Shopper
                {
                    CustomerNumber = subject,
                    NewsletterEmail = $"{subject}@example.org",
                    Interests = $"sailing, {subject}",
                    InvoiceName = $"Invoice name of {subject}",
                });
                db.ChatMessages.Add(new ChatMessage { ConversationId = Guid.NewGuid(), SenderId = subject, Text = $"hello from {subject}" });
            }

            await db.SaveChangesAsync();
        });
        return services;
    }

    // Art. 15, 20, 17 in one request: both exports hold the data as it was, the erasure runs after them and its
    // signed certificate is attached; marketing and chat are unreadable afterwards, the invoice kept by Art. 17(3)(b).
    [SkippableFact]
    public async Task Execute_AccessPortabilityErasure_Art15_Art20_Art17_AttachesPackagesAndCertificate_RecordSurvives()
    {
        await using var services = await SeededAsync();
        var request = await services.StartedAsync(Subject, new RequestedRight(DataSubjectRight.Erasure), new RequestedRight(DataSubjectRight.Access), new RequestedRight(DataSubjectRight.Portability));

        var done = await services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id);

        Assert.Equal((RequestStatus.Completed, RequestOutcome.Completed), (done.Status, done.Outcome));
        var references = done.Rights.ToDictionary(r => r.Right, r => r.Reference);
        Assert.Equal($"{request.Id}-access.zip", references[DataSubjectRight.Access]);
        Assert.Equal($"{request.Id}-portability.zip", references[DataSubjectRight.Portability]);
        Assert.Equal($"{request.Id}-erasure-certificate.json", references[DataSubjectRight.Erasure]);

        foreach (var (right, kind) in new[] { (DataSubjectRight.Access, "access"), (DataSubjectRight.Portability, "portability") })
        {
            var package = await File.ReadAllBytesAsync(Path.Combine(PackageDirectory, references[right]!));
            using var manifest = ReadDocument(package, ExportFormat.Zip);
            Assert.Equal(kind, manifest.RootElement.GetProperty("kind").GetString());
            var text = AllText(package, ExportFormat.Zip);
            Assert.Contains($"{Subject}@example.org", text, StringComparison.Ordinal); // exported before the erasure
            Assert.DoesNotContain(Other, text, StringComparison.Ordinal);
        }

        var certificatePath = Path.Combine(PackageDirectory, references[DataSubjectRight.Erasure]!);
        var json = await File.ReadAllBytesAsync(certificatePath);
        var signature = await File.ReadAllBytesAsync(certificatePath + ".sig");
        var certificate = ErasureCertificateVerifier.VerifyAndRead(json, signature, services.GetRequiredService<IErasureCertificateIssuer>().ExportPublicKeyPem());
        Assert.NotNull(certificate);
        Assert.Equal(request.Subject.Value, certificate.Subject);
        Assert.Equal(["chat", "marketing"], certificate.DestroyedScopes.Order(StringComparer.Ordinal));

        var shopper = await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject));
        Assert.Equal((null, "[erased]", $"Invoice name of {Subject}"), (shopper.NewsletterEmail, shopper.Interests, shopper.InvoiceName));
        Assert.False(await services.WithContextAsync(db => db.ChatMessages.AnyAsync(m => m.SenderId == Subject)));
        var bystander = await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Other));
        Assert.Equal($"{Other}@example.org", bystander.NewsletterEmail);

        // The record of the request outlives the erasure it records: its own key subject, its own scope.
        Assert.Equal(RequestsOnDatabase.Requester, await services.Requests().GetRequesterAsync(request.Id));
        Assert.Equal(done, await services.Requests().GetAsync(request.Id));

        var executed = await ExecutedAsync(services, request.Id);
        Assert.Equal([nameof(DataSubjectRight.Access), nameof(DataSubjectRight.Portability), nameof(DataSubjectRight.Erasure)], executed.Select(e => e.Details["right"]));
        Assert.Equal(references[DataSubjectRight.Erasure], executed[2].Details["reference"]);
        Assert.Equal("Erased", executed[2].Details["erasureOutcome"]);

        // Executing again is a no-op: every right is closed.
        Assert.Equal(done, await services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id));
        Assert.Equal(3, (await ExecutedAsync(services, request.Id)).Count);
    }

    // Art. 21(3): an objection to direct marketing destroys the scope the controller named, and only that scope.
    [SkippableFact]
    public async Task Execute_ObjectionToDirectMarketing_Art21_3_DestroysOnlyTheConfiguredScope()
    {
        await using var services = await SeededAsync(o => o.DirectMarketingScope = "marketing");
        var request = await services.StartedAsync(Subject, new RequestedRight(DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose));

        var done = await services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id);

        Assert.Equal(RequestOutcome.Completed, done.Outcome);
        var reference = Assert.Single(done.Rights).Reference!;
        Assert.StartsWith("audit:", reference, StringComparison.Ordinal);
        var shopper = await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject));
        Assert.Equal((null, "[erased]", $"Invoice name of {Subject}"), (shopper.NewsletterEmail, shopper.Interests, shopper.InvoiceName));
        Assert.Equal($"hello from {Subject}", (await services.WithContextAsync(db => db.ChatMessages.AsNoTracking().SingleAsync(m => m.SenderId == Subject))).Text);

        // The reference is the erasure's audit entry, which names the one scope it was limited to.
        var sequence = long.Parse(reference["audit:".Length..], System.Globalization.CultureInfo.InvariantCulture);
        var entry = await services.GetRequiredService<IAuditTrail>().ReadAsync(sequence).FirstAsync();
        Assert.Equal((AuditKinds.ErasureCompleted, "marketing", "marketing"), (entry.Kind, entry.Details["onlyScopes"], entry.Details["destroyed"]));
        Assert.Empty(Directory.EnumerateFiles(PackageDirectory)); // no certificate for some scopes of a subject
    }

    private static async Task<List<AuditEntry>> ExecutedAsync(IServiceProvider services, string requestId)
        => await services.GetRequiredService<IAuditTrail>().ReadAsync()
            .Where(e => e.Kind == AuditKinds.RequestRightExecuted && e.Details["requestId"] == requestId)
            .ToListAsync();
}

public sealed class SqliteRequestExecutionTests : RequestExecutionTests
{
    private readonly SqliteContactCenterDatabase _database = new();

    protected override ServiceProvider Build(FakeTimeProvider time, Action<RequestOptions>? configure)
        => RequestsOnDatabase.Build(_database.Configure, _database.KeyRingDirectory, time, configure);

    // Art. 21(3) and no default that makes a legal statement: without a configured scope the objection is refused
    // with a typed error naming the rule, audited, and nothing of the request runs (not even its access export).
    [Fact]
    public async Task Execute_ObjectionWithoutConfiguredScope_IsRefused_NothingRuns_Art21_3()
    {
        await using var services = await SeededAsync();
        var request = await services.StartedAsync(Subject, new RequestedRight(DataSubjectRight.Access), new RequestedRight(DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose));

        var refused = await Assert.ThrowsAsync<RequestTransitionRefusedException>(() => services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id).AsTask());

        Assert.Equal((request.Id, RequestRules.DirectMarketingScopeNotConfigured), (refused.RequestId, refused.Rule));
        Assert.Equal(request, await services.Requests().GetAsync(request.Id));
        Assert.Empty(Directory.EnumerateFiles(PackageDirectory));
        Assert.Equal($"{Subject}@example.org", (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject))).NewsletterEmail);
        var audited = await services.GetRequiredService<IAuditTrail>().ReadAsync().LastAsync(e => e.Kind == AuditKinds.RequestTransitionRefused);
        Assert.Equal((request.Id, RequestRules.DirectMarketingScopeNotConfigured), (audited.Details["requestId"], audited.Details["rule"]));
    }

    // Art. 12(6): nothing is erased for a request whose requester's identity is not verified.
    [Fact]
    public async Task Execute_BeforeVerification_IsRefused_NothingErased_Art12_6()
    {
        await using var services = await SeededAsync();
        var request = await services.Requests().SubmitAsync(new DataSubjectRequestIntake(Subject, [new RequestedRight(DataSubjectRight.Erasure)], IntakeChannel.Email, RequestsOnDatabase.Requester));

        var refused = await Assert.ThrowsAsync<RequestTransitionRefusedException>(() => services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id).AsTask());

        Assert.Equal(RequestRules.IdentityNotVerified, refused.Rule);
        Assert.Equal($"{Subject}@example.org", (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject))).NewsletterEmail);
        Assert.Equal(RightStatus.Open, Assert.Single((await services.Requests().GetAsync(request.Id)).Rights).Status);
    }

    // Art. 21(3) with Art. 17(3)(e): a legal hold keeps the marketing scope, so the objection is not reported as
    // carried out: the right stays open with a typed error, and running again after the release completes it.
    [Fact]
    public async Task Execute_ObjectionWhileAHoldKeepsTheScope_StaysOpen_ThenCompletesAfterRelease_Art21_3()
    {
        await using var services = await SeededAsync(o => o.DirectMarketingScope = "marketing");
        var holds = services.GetRequiredService<Gdpr.Erasure.ILegalHoldService>();
        var hold = await holds.PlaceHoldAsync(Subject, "claim 2026-41");
        var request = await services.StartedAsync(Subject, new RequestedRight(DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose));
        var executor = services.GetRequiredService<IDataSubjectRequestExecutor>();

        var refused = await Assert.ThrowsAsync<RequestTransitionRefusedException>(() => executor.ExecuteAsync(request.Id).AsTask());

        Assert.Equal(RequestRules.DirectMarketingScopeNotDestroyed, refused.Rule);
        Assert.Equal(RightStatus.Open, Assert.Single((await services.Requests().GetAsync(request.Id)).Rights).Status);
        Assert.Equal($"{Subject}@example.org", (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject))).NewsletterEmail);

        Assert.True(await holds.ReleaseHoldAsync(Subject, hold.Id));
        var done = await executor.ExecuteAsync(request.Id);
        Assert.Equal(RequestOutcome.Completed, done.Outcome);
        Assert.Null((await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject))).NewsletterEmail);
    }

    // An export or erasure with nowhere to put its evidence does not run.
    [Fact]
    public async Task Execute_WithoutPackageDirectory_Throws_NothingRuns()
    {
        await using var services = await SeededAsync(o => o.PackageDirectory = null);
        var request = await services.StartedAsync(Subject, new RequestedRight(DataSubjectRight.Erasure));

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => services.GetRequiredService<IDataSubjectRequestExecutor>().ExecuteAsync(request.Id).AsTask());

        Assert.Contains("PackageDirectory", error.Message, StringComparison.Ordinal);
        Assert.Equal($"{Subject}@example.org", (await services.WithContextAsync(db => db.Shoppers.AsNoTracking().SingleAsync(s => s.CustomerNumber == Subject))).NewsletterEmail);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        _database.Dispose();
    }
}

public sealed class PostgresRequestExecutionTests(PostgresKeyStoreDatabase database) : RequestExecutionTests, IClassFixture<PostgresKeyStoreDatabase>
{
    protected override ServiceProvider Build(FakeTimeProvider time, Action<RequestOptions>? configure)
    {
        var connectionString = database.CreateEmptyDatabaseAsync().GetAwaiter().GetResult(); // skips when PostgreSQL is not configured
        return RequestsOnDatabase.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, time, configure);
    }
}
