using System.Text.Json;
using System.Text.Json.Serialization;
using Gdpr.Keys;
using Gdpr.Requests;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Requests;

/// <summary>
/// Keeps data-subject requests in a table of the application's database
/// (<see cref="DataSubjectRequestModelBuilderExtensions.AddGdprDataSubjectRequests"/>), so that the record that a request
/// was answered in time (GDPR Art. 12(3), 5(2)) survives restarts. The store never decrypts: the requester's details
/// and the one-time code arrive as envelopes and are stored as bytes. An update is applied only on the version it was
/// made on (the row's <c>version</c> column is a concurrency token), so two processes never lose each other's change.
/// </summary>
/// <typeparam name="TContext">The application's DbContext, registered with <c>AddDbContextFactory</c>.</typeparam>
public sealed class EfCoreDataSubjectRequestStore<TContext> : IDataSubjectRequestStore
    where TContext : DbContext
{
    private readonly IDbContextFactory<TContext> _contexts;

    /// <summary>Initializes a new instance of the <see cref="EfCoreDataSubjectRequestStore{TContext}"/> class.</summary>
    /// <param name="contexts">Creates the application's DbContext.</param>
    public EfCoreDataSubjectRequestStore(IDbContextFactory<TContext> contexts)
    {
        ArgumentNullException.ThrowIfNull(contexts);
        _contexts = contexts;
    }

    /// <inheritdoc/>
    public async ValueTask AddAsync(DataSubjectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            db.Add(DataSubjectRequestRow.From(request));
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DbUpdateException)
            {
                // The key's unique violation has a provider-specific shape; whether the id is taken does not.
                if (await ExistsAsync(request.Id, cancellationToken).ConfigureAwait(false))
                {
                    throw new InvalidOperationException($"Data-subject request {request.Id} already exists.");
                }

                throw;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<DataSubjectRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var row = await db.Set<DataSubjectRequestRow>().AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
            return row?.ToRequest();
        }
    }

    /// <inheritdoc/>
    public async ValueTask<bool> TryUpdateAsync(DataSubjectRequest request, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Version != expectedVersion + 1)
        {
            throw new ArgumentException($"Request {request.Id}: the new version must be {expectedVersion + 1}.", nameof(request));
        }

        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            // UPDATE ... WHERE id = @id AND version = @expected: a row changed (or missing) meanwhile updates nothing.
            var entry = db.Update(DataSubjectRequestRow.From(request));
            entry.Property(r => r.Version).OriginalValue = expectedVersion;
            try
            {
                await db.SaveChangesAsync(cancellationToken).ConfigureAwait(false);
                return true;
            }
            catch (DbUpdateConcurrencyException)
            {
                return false;
            }
        }
    }

    /// <inheritdoc/>
    public async ValueTask<IReadOnlyList<DataSubjectRequest>> QueryAsync(DataSubjectRequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            var rows = db.Set<DataSubjectRequestRow>().AsNoTracking();
            if (query.Status is { } status)
            {
                rows = rows.Where(r => r.Status == (int)status);
            }

            if (query.Right is { } right)
            {
                var bit = DataSubjectRequestRow.RightBit(right);
                rows = rows.Where(r => (r.RightsMask & bit) != 0);
            }

            if (query.OpenOnly)
            {
                rows = rows.Where(r => r.Status != (int)RequestStatus.Completed && r.Status != (int)RequestStatus.Refused);
            }

            if (query.DueOnOrBefore is { } dueBy)
            {
                rows = rows.Where(r => r.Due <= dueBy);
            }

            var found = await rows.OrderBy(r => r.Due).ThenBy(r => r.ReceivedAtUtcTicks).ThenBy(r => r.Id)
                .Take(query.Limit)
                .ToListAsync(cancellationToken).ConfigureAwait(false);
            return [.. found.Select(r => r.ToRequest())];
        }
    }

    private async Task<bool> ExistsAsync(string id, CancellationToken cancellationToken)
    {
        var db = await _contexts.CreateDbContextAsync(cancellationToken).ConfigureAwait(false);
        await using (db.ConfigureAwait(false))
        {
            return await db.Set<DataSubjectRequestRow>().AnyAsync(r => r.Id == id, cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>
/// One data-subject request as stored. Times are UTC ticks (the SDK's table convention); dates are dates. The rights are
/// one JSON column (their reasons and references are legal grounds and ids, no personal data) plus a bit mask that
/// the query by right filters on. The requester and the one-time code are envelopes, stored as they came.
/// </summary>
internal sealed class DataSubjectRequestRow
{
    public string Id { get; set; } = string.Empty;

    public long ReceivedAtUtcTicks { get; set; }

    public short ReceivedAtOffsetMinutes { get; set; }

    public DateOnly ReceivedOn { get; set; }

    public string TimeZoneId { get; set; } = string.Empty;

    public int Channel { get; set; }

    public string? AgentId { get; set; }

    public bool OnBehalfOfSubject { get; set; }

    public string Subject { get; set; } = string.Empty;

    public byte[] EncryptedRequester { get; set; } = [];

    public string Rights { get; set; } = "[]";

    public int RightsMask { get; set; }

    public int Status { get; set; }

    public DateOnly OriginalDue { get; set; }

    public DateOnly Due { get; set; }

    public DateOnly InternalTarget { get; set; }

    public string? ExtensionReasons { get; set; }

    public long? ExtensionNoticeUtcTicks { get; set; }

    public DateOnly? ExtendedDue { get; set; }

    public int? RefusalGround { get; set; }

    public string? RefusalReason { get; set; }

    public long? RefusalNoticeUtcTicks { get; set; }

    public decimal? FeeAmount { get; set; }

    public string? FeeCurrency { get; set; }

    public int? FeeGround { get; set; }

    public long? FeeRecordedUtcTicks { get; set; }

    public byte[]? IdentityCode { get; set; }

    public long? IdentityCodeIssuedUtcTicks { get; set; }

    public long? IdentityCodeExpiresUtcTicks { get; set; }

    public int? IdentityCodeFailedAttempts { get; set; }

    public int? IdentityCodesIssued { get; set; }

    public string? IdentityMethod { get; set; }

    public long? VerifiedAtUtcTicks { get; set; }

    public long? ClosedAtUtcTicks { get; set; }

    public long Version { get; set; }

    public static int RightBit(DataSubjectRight right) => 1 << (int)right;

    public static DataSubjectRequestRow From(DataSubjectRequest r) => new()
    {
        Id = r.Id,
        ReceivedAtUtcTicks = r.ReceivedAt.UtcTicks,
        ReceivedAtOffsetMinutes = checked((short)r.ReceivedAt.Offset.TotalMinutes),
        ReceivedOn = r.ReceivedOn,
        TimeZoneId = r.TimeZoneId,
        Channel = (int)r.Channel,
        AgentId = r.AgentId,
        OnBehalfOfSubject = r.OnBehalfOfSubject,
        Subject = r.Subject.Value,
        EncryptedRequester = r.EncryptedRequester.ToArray(),
        Rights = JsonSerializer.Serialize([.. r.Rights.Select(StoredRight.From)], RequestRowJson.Default.StoredRightArray),
        RightsMask = r.Rights.Aggregate(0, (mask, right) => mask | RightBit(right.Right)),
        Status = (int)r.Status,
        OriginalDue = r.OriginalDue,
        Due = r.Due,
        InternalTarget = r.InternalTarget,
        ExtensionReasons = r.Extension?.Reasons,
        ExtensionNoticeUtcTicks = r.Extension?.NoticeRecordedAt.UtcTicks,
        ExtendedDue = r.Extension?.ExtendedDue,
        RefusalGround = (int?)r.Refusal?.Ground,
        RefusalReason = r.Refusal?.Reason,
        RefusalNoticeUtcTicks = r.Refusal?.NoticeRecordedAt.UtcTicks,
        FeeAmount = r.Fee?.Amount,
        FeeCurrency = r.Fee?.Currency,
        FeeGround = (int?)r.Fee?.Ground,
        FeeRecordedUtcTicks = r.Fee?.RecordedAt.UtcTicks,
        IdentityCode = r.IdentityChallenge?.EncryptedCode.ToArray(),
        IdentityCodeIssuedUtcTicks = r.IdentityChallenge?.IssuedAt.UtcTicks,
        IdentityCodeExpiresUtcTicks = r.IdentityChallenge?.ExpiresAt.UtcTicks,
        IdentityCodeFailedAttempts = r.IdentityChallenge?.FailedAttempts,
        IdentityCodesIssued = r.IdentityChallenge?.CodesIssued,
        IdentityMethod = r.IdentityMethod,
        VerifiedAtUtcTicks = r.VerifiedAt?.UtcTicks,
        ClosedAtUtcTicks = r.ClosedAt?.UtcTicks,
        Version = r.Version,
    };

    public DataSubjectRequest ToRequest() => new(
        Id,
        new DateTimeOffset(ReceivedAtUtcTicks, TimeSpan.Zero).ToOffset(TimeSpan.FromMinutes(ReceivedAtOffsetMinutes)),
        ReceivedOn,
        TimeZoneId,
        (IntakeChannel)Channel,
        AgentId,
        OnBehalfOfSubject,
        new SubjectPseudonym(Subject),
        EncryptedRequester,
        [.. (JsonSerializer.Deserialize(Rights, RequestRowJson.Default.StoredRightArray) ?? []).Select(s => s.ToRight())],
        (RequestStatus)Status,
        OriginalDue,
        Due,
        InternalTarget,
        ExtensionReasons is null ? null : new RequestExtension(ExtensionReasons, Time(ExtensionNoticeUtcTicks!.Value), ExtendedDue!.Value),
        RefusalReason is null ? null : new RequestRefusal((RefusalGround)RefusalGround!.Value, RefusalReason, Time(RefusalNoticeUtcTicks!.Value)),
        FeeAmount is null ? null : new RequestFee(FeeAmount.Value, FeeCurrency!, (FeeGround)FeeGround!.Value, Time(FeeRecordedUtcTicks!.Value)),
        IdentityCode is null ? null : new IdentityChallenge(
            IdentityCode,
            Time(IdentityCodeIssuedUtcTicks!.Value),
            Time(IdentityCodeExpiresUtcTicks!.Value),
            IdentityCodeFailedAttempts!.Value,
            IdentityCodesIssued!.Value),
        IdentityMethod,
        VerifiedAtUtcTicks is { } verified ? Time(verified) : null,
        ClosedAtUtcTicks is { } closed ? Time(closed) : null,
        Version);

    private static DateTimeOffset Time(long ticks) => GdprTableConventions.FromUtcTicks(ticks);
}

/// <summary>One right as the rights column holds it.</summary>
internal sealed record StoredRight(int Right, string? Purpose, int Status, string? Reason, string? Reference, long? ClosedAtUtcTicks)
{
    public static StoredRight From(RequestedRight r)
        => new((int)r.Right, r.Purpose, (int)r.Status, r.Reason, r.Reference, r.ClosedAt?.UtcTicks);

    public RequestedRight ToRight()
        => new((DataSubjectRight)Right, Purpose, (RightStatus)Status, Reason, Reference, ClosedAtUtcTicks is { } t ? GdprTableConventions.FromUtcTicks(t) : null);
}

/// <summary>Source-generated JSON for the rights column (no reflection, trimming-safe).</summary>
[JsonSerializable(typeof(StoredRight[]))]
internal sealed partial class RequestRowJson : JsonSerializerContext;
