using System.Security.Cryptography;
using Gdpr.Requests;
using Xunit;

namespace Gdpr.Testing;

/// <summary>
/// The <see cref="IDataSubjectRequestStore"/> contract as xunit tests. The store is the record that a request was
/// answered in time (GDPR Art. 12(3), 5(2)): a store that loses a change, accepts a change made on an older version,
/// or lists an overdue request as not due, breaks that record. Derive from it and return your store from
/// <see cref="CreateStore"/>; every test uses requests of its own, so a shared store is fine.
/// </summary>
public abstract class DataSubjectRequestStoreContractTests
{
    /// <summary>The instant the tests' requests are received at.</summary>
    protected static readonly DateTimeOffset ReceivedAt = new(2026, 3, 2, 8, 0, 0, TimeSpan.Zero);

    private readonly Lock _createLock = new();
    private IDataSubjectRequestStore? _store;

    /// <summary>Gets the store under test, created once per test by <see cref="CreateStore"/>.</summary>
    protected IDataSubjectRequestStore Store
    {
        get
        {
            lock (_createLock)
            {
                return _store ??= CreateStore();
            }
        }
    }

    /// <summary>Creates (or returns) the store under test; call <c>Skip.If</c> here to skip with a reason.</summary>
    /// <returns>The store.</returns>
    protected abstract IDataSubjectRequestStore CreateStore();

    /// <summary>A stored request reads back equal in every member, its envelope and rights included.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Add_ThenGet_ReadsBackEveryMember()
    {
        var request = NewRequest(new DateOnly(2026, 4, 2)) with
        {
            Extension = new RequestExtension("many systems", ReceivedAt.AddDays(3), new DateOnly(2026, 6, 2)),
            Fee = new RequestFee(4.50m, "EUR", FeeGround.FurtherCopies, ReceivedAt.AddDays(1)),
            IdentityChallenge = new IdentityChallenge(RandomNumberGenerator.GetBytes(48), ReceivedAt, ReceivedAt.AddMinutes(15), 2, 1),
            Rights = [new RequestedRight(DataSubjectRight.Objection, RequestedRight.DirectMarketingPurpose), new RequestedRight(DataSubjectRight.Erasure, Status: RightStatus.Refused, Reason: "Art. 17(3)(b)", ClosedAt: ReceivedAt.AddDays(2))],
        };

        await Store.AddAsync(request);

        Assert.Equal(request, await Store.GetAsync(request.Id));
        Assert.Null(await Store.GetAsync("dsr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16))));
    }

    /// <summary>A second request with the same id is refused and the first is kept.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Add_DuplicateId_Throws()
    {
        var request = NewRequest(new DateOnly(2026, 4, 2));
        await Store.AddAsync(request);

        await Assert.ThrowsAsync<InvalidOperationException>(() => Store.AddAsync(request with { Status = RequestStatus.Verified }).AsTask());
        Assert.Equal(request, await Store.GetAsync(request.Id));
    }

    /// <summary>An update on the current version is stored; one on an older version is refused and changes nothing.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task TryUpdate_OnlyOnTheCurrentVersion()
    {
        var request = NewRequest(new DateOnly(2026, 4, 2));
        await Store.AddAsync(request);
        var verified = request with { Status = RequestStatus.Verified, IdentityMethod = "agent-attestation", VerifiedAt = ReceivedAt.AddHours(1), Version = 2 };

        Assert.True(await Store.TryUpdateAsync(verified, expectedVersion: 1));
        Assert.False(await Store.TryUpdateAsync(request with { Status = RequestStatus.Refused, Version = 2 }, expectedVersion: 1));
        Assert.Equal(verified, await Store.GetAsync(request.Id));
        Assert.False(await Store.TryUpdateAsync(NewRequest(new DateOnly(2026, 4, 2)) with { Version = 2 }, expectedVersion: 1));
    }

    /// <summary>Queries filter by open, status, right and due date, soonest due first, then by receipt (the overdue and due-soon lists, Art. 12(3)).</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Query_FiltersAndOrders()
    {
        var year = 2200 + RandomNumberGenerator.GetInt32(0, 7000);
        var late = NewRequest(new DateOnly(year, 5, 10));
        var early = NewRequest(new DateOnly(year, 5, 1)) with { ReceivedAt = ReceivedAt.AddHours(1) };
        var earlySameDay = NewRequest(new DateOnly(year, 5, 1));
        var closed = NewRequest(new DateOnly(year, 5, 2)) with { Status = RequestStatus.Completed, ClosedAt = ReceivedAt.AddDays(3), Rights = [new RequestedRight(DataSubjectRight.Portability, Status: RightStatus.Completed)] };
        var verified = NewRequest(new DateOnly(year, 5, 3)) with { Status = RequestStatus.Verified, Rights = [new RequestedRight(DataSubjectRight.Erasure)] };
        HashSet<string> mine = [late.Id, early.Id, earlySameDay.Id, closed.Id, verified.Id];
        foreach (var request in new[] { late, early, earlySameDay, closed, verified })
        {
            await Store.AddAsync(request);
        }

        async Task<List<string>> Ids(DataSubjectRequestQuery query)
            => [.. (await Store.QueryAsync(query)).Where(r => mine.Contains(r.Id)).Select(r => r.Id)];

        Assert.Equal([earlySameDay.Id, early.Id, verified.Id, late.Id], await Ids(new DataSubjectRequestQuery(OpenOnly: true)));
        Assert.Equal([earlySameDay.Id, early.Id, closed.Id, verified.Id], await Ids(new DataSubjectRequestQuery(DueOnOrBefore: new DateOnly(year, 5, 3))));
        Assert.Equal([earlySameDay.Id, early.Id, verified.Id], await Ids(new DataSubjectRequestQuery(OpenOnly: true, DueOnOrBefore: new DateOnly(year, 5, 9))));
        Assert.Equal([verified.Id], await Ids(new DataSubjectRequestQuery(Status: RequestStatus.Verified, DueOnOrBefore: new DateOnly(year, 12, 31))));
        Assert.Equal([closed.Id], await Ids(new DataSubjectRequestQuery(Right: DataSubjectRight.Portability, DueOnOrBefore: new DateOnly(year, 12, 31))));
        Assert.Equal([verified.Id], await Ids(new DataSubjectRequestQuery(Right: DataSubjectRight.Erasure, OpenOnly: true, DueOnOrBefore: new DateOnly(year, 12, 31))));
    }

    /// <summary>A query returns at most its limit, the soonest due first.</summary>
    /// <returns>The test.</returns>
    [SkippableFact]
    public async Task Query_Limit_ReturnsTheSoonestDue()
    {
        // Due in year 1: before every other test's requests, so the soonest due are this test's own.
        var first = NewRequest(new DateOnly(1, 1, 1));
        var second = NewRequest(new DateOnly(1, 1, 2));
        var third = NewRequest(new DateOnly(1, 1, 3));
        await Store.AddAsync(third);
        await Store.AddAsync(first);
        await Store.AddAsync(second);

        var found = await Store.QueryAsync(new DataSubjectRequestQuery(DueOnOrBefore: new DateOnly(1, 1, 3), Limit: 2));

        Assert.Equal(2, found.Count);
        Assert.True(found[0].Due <= found[1].Due);
        Assert.All(found, r => Assert.True(r.Due <= new DateOnly(1, 1, 2)));
    }

    /// <summary>Creates an open request with a random id and envelope.</summary>
    /// <param name="due">Its last day.</param>
    /// <returns>The request, version 1.</returns>
    protected static DataSubjectRequest NewRequest(DateOnly due)
        => new(
            "dsr-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)),
            ReceivedAt,
            new DateOnly(2026, 3, 2),
            "Europe/Amsterdam",
            IntakeChannel.WebForm,
            AgentId: null,
            OnBehalfOfSubject: false,
            TestData.NewPseudonym(),
            RandomNumberGenerator.GetBytes(96),
            [new RequestedRight(DataSubjectRight.Access)],
            RequestStatus.Received,
            OriginalDue: due,
            Due: due,
            InternalTarget: due);
}
