using System.Text;
using Gdpr.Requests;
using Gdpr.Storage.EfCore.Tests.Integration;
using Gdpr.Storage.EfCore.Tests.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Gdpr.Storage.EfCore.Tests.Requests;

/// <summary>
/// The EF request store under the request service, with two service instances (two "processes") on one database:
/// a transition lost to another writer is applied again on the fresh state, never written over it (the record of
/// GDPR Art. 12(3) and 5(2) must hold every transition).
/// </summary>
public abstract class EfCoreRequestStoreTests
{
    protected static async Task TwoInstances_CompletingTheSameRequest_LoseNoTransition(Func<FakeTimeProvider, ServiceProvider> build)
    {
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var first = build(time);
        await using var second = build(time);
        await ContactCenterHost.CreateTablesAsync(first);

        // Two different rights completed at once by the two instances: both are recorded, and the request completes.
        var request = await first.StartedAsync("cust-race", new RequestedRight(DataSubjectRight.Access), new RequestedRight(DataSubjectRight.Portability));
        await Task.WhenAll(
            first.Requests().CompleteRightAsync(request.Id, DataSubjectRight.Access, reference: "export-a").AsTask(),
            second.Requests().CompleteRightAsync(request.Id, DataSubjectRight.Portability, reference: "export-b").AsTask());

        var done = await second.Requests().GetAsync(request.Id);
        Assert.Equal(RequestStatus.Completed, done.Status);
        Assert.Equal(
            [(DataSubjectRight.Access, RightStatus.Completed, "export-a"), (DataSubjectRight.Portability, RightStatus.Completed, "export-b")],
            done.Rights.Select(r => (r.Right, r.Status, r.Reference)));
        Assert.Equal(request.Version + 2, done.Version);

        // The same right completed by both: exactly one succeeds, the other is refused on the fresh state and changes nothing.
        var single = await first.StartedAsync("cust-race-2", new RequestedRight(DataSubjectRight.Access));
        var attempts = await Task.WhenAll(
            Attempt(first.Requests().CompleteRightAsync(single.Id, DataSubjectRight.Access, reference: "by-first").AsTask()),
            Attempt(second.Requests().CompleteRightAsync(single.Id, DataSubjectRight.Access, reference: "by-second").AsTask()));
        Assert.Single(attempts, a => a is null);
        var refused = Assert.IsType<RequestTransitionRefusedException>(Assert.Single(attempts, a => a is not null));
        Assert.Equal(single.Id, refused.RequestId);
        var closed = await first.Requests().GetAsync(single.Id);
        Assert.Equal(single.Version + 1, closed.Version);
        Assert.Contains(closed.Rights[0].Reference, new[] { "by-first", "by-second" });

        // And at the store itself: two instances holding the same version, only the first update is stored.
        var a = first.GetRequiredService<IDataSubjectRequestStore>();
        var b = second.GetRequiredService<IDataSubjectRequestStore>();
        var stale = (await b.GetAsync(closed.Id))!;
        Assert.True(await a.TryUpdateAsync(closed with { AgentId = "agent-a", Version = closed.Version + 1 }, closed.Version));
        Assert.False(await b.TryUpdateAsync(stale with { AgentId = "agent-b", Version = stale.Version + 1 }, stale.Version));
        Assert.Equal("agent-a", (await b.GetAsync(closed.Id))!.AgentId);
    }

    private static async Task<Exception?> Attempt(Task task)
    {
        try
        {
            await task;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }
}

public sealed class SqliteRequestStoreTests : EfCoreRequestStoreTests
{
    [Fact]
    public async Task TwoInstances_OnOneSqliteFile_LoseNoTransition_Art12_3()
    {
        using var database = new SqliteContactCenterDatabase();
        await TwoInstances_CompletingTheSameRequest_LoseNoTransition(time => RequestsOnDatabase.Build(database.Configure, database.KeyRingDirectory, time));
    }

    // Art. 32(1)(a), Art. 5(1)(f): the requester's contact details and the subject id are in no byte of the database
    // files (main file and WAL), read raw while the application has them open; the service still reads them back.
    [Fact]
    public async Task Submit_RequesterDetailsAndSubjectId_AreInNoDatabaseFile_Art32()
    {
        using var database = new SqliteContactCenterDatabase();
        var time = new FakeTimeProvider(ContactCenterHost.Day0);
        await using var services = RequestsOnDatabase.Build(database.Configure, database.KeyRingDirectory, time);
        await ContactCenterHost.CreateTablesAsync(services);

        const string subjectId = "cust-8d41-quist";
        var request = await services.StartedAsync(subjectId, new RequestedRight(DataSubjectRight.Access));

        Assert.Equal(RequestsOnDatabase.Requester, await services.Requests().GetRequesterAsync(request.Id));
        var files = database.ReadFiles();
        Assert.Contains(files, f => f.File == "contactcenter.db");
        var requester = RequestsOnDatabase.Requester;
        foreach (var secret in new[] { requester.Name!, requester.Email!, requester.Phone!, requester.PostalAddress!, subjectId, "Vandersloot" })
        {
            var bytes = Encoding.UTF8.GetBytes(secret);
            Assert.All(files, f => Assert.True(f.Bytes.AsSpan().IndexOf(bytes) < 0, $"a requester detail is in {f.File}"));
        }

        // Control: the same search finds what is meant to be there (the request's id and the verifying agent).
        Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(request.Id)) >= 0);
        Assert.Contains(files, f => f.Bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes("agent-7")) >= 0);
    }
}

public sealed class PostgresRequestStoreTests(PostgresKeyStoreDatabase database) : EfCoreRequestStoreTests, IClassFixture<PostgresKeyStoreDatabase>
{
    [SkippableFact]
    public async Task TwoInstances_OnOnePostgresDatabase_LoseNoTransition_Art12_3()
    {
        var connectionString = await database.CreateEmptyDatabaseAsync(); // skips when PostgreSQL is not configured
        await TwoInstances_CompletingTheSameRequest_LoseNoTransition(time => RequestsOnDatabase.Build(o => o.UseNpgsql(connectionString), database.KeyRingDirectory, time));
    }
}
