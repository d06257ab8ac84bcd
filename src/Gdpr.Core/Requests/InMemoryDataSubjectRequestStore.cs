namespace Gdpr.Requests;

/// <summary>Data-subject requests in process memory, for tests and samples. Lost when the process ends.</summary>
public sealed class InMemoryDataSubjectRequestStore : IDataSubjectRequestStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, DataSubjectRequest> _requests = new(StringComparer.Ordinal);

    /// <inheritdoc/>
    public ValueTask AddAsync(DataSubjectRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            if (!_requests.TryAdd(request.Id, Copy(request)))
            {
                throw new InvalidOperationException($"Data-subject request {request.Id} already exists.");
            }
        }

        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<DataSubjectRequest?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(id);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            return ValueTask.FromResult(_requests.TryGetValue(id, out var stored) ? Copy(stored) : null);
        }
    }

    /// <inheritdoc/>
    public ValueTask<bool> TryUpdateAsync(DataSubjectRequest request, long expectedVersion, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (request.Version != expectedVersion + 1)
        {
            throw new ArgumentException($"Request {request.Id}: the new version must be {expectedVersion + 1}.", nameof(request));
        }

        lock (_lock)
        {
            if (!_requests.TryGetValue(request.Id, out var stored) || stored.Version != expectedVersion)
            {
                return ValueTask.FromResult(false);
            }

            _requests[request.Id] = Copy(request);
            return ValueTask.FromResult(true);
        }
    }

    /// <inheritdoc/>
    public ValueTask<IReadOnlyList<DataSubjectRequest>> QueryAsync(DataSubjectRequestQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(query.Limit);
        cancellationToken.ThrowIfCancellationRequested();
        lock (_lock)
        {
            IReadOnlyList<DataSubjectRequest> found = [.. _requests.Values
                .Where(query.Matches)
                .OrderBy(r => r.Due)
                .ThenBy(r => r.ReceivedAt)
                .ThenBy(r => r.Id, StringComparer.Ordinal)
                .Take(query.Limit)
                .Select(Copy)];
            return ValueTask.FromResult(found);
        }
    }

    // Copies in and out: a caller holding a record's arrays cannot change what is stored, as with a database.
    private static DataSubjectRequest Copy(DataSubjectRequest request)
        => request with
        {
            EncryptedRequester = request.EncryptedRequester.ToArray(),
            Rights = [.. request.Rights],
            IdentityChallenge = request.IdentityChallenge is { } c ? c with { EncryptedCode = c.EncryptedCode.ToArray() } : null,
        };
}
