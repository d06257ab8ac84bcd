namespace Gdpr.Requests;

/// <summary>
/// Keeps data-subject requests. The SDK ships an in-memory store; the EF Core adapter ships a database one. A store
/// keeps what it is given and never decrypts: the requester's details arrive as an envelope.
/// </summary>
/// <remarks>Implementations must be safe for concurrent use. Gdpr.Testing's contract tests say what a store must do.</remarks>
public interface IDataSubjectRequestStore
{
    /// <summary>Stores a new request.</summary>
    /// <param name="request">The request, with <see cref="DataSubjectRequest.Version"/> 1.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>A task that completes when it is stored.</returns>
    /// <exception cref="InvalidOperationException">A request with that id exists.</exception>
    ValueTask AddAsync(DataSubjectRequest request, CancellationToken cancellationToken = default);

    /// <summary>Reads a request.</summary>
    /// <param name="id">The request's id.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The request, or <see langword="null"/> when there is none with that id.</returns>
    ValueTask<DataSubjectRequest?> GetAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>
    /// Replaces a request, only if the stored one still has <paramref name="expectedVersion"/>; another writer's change
    /// meanwhile makes it return <see langword="false"/>, and nothing is stored.
    /// </summary>
    /// <param name="request">The new state, with <see cref="DataSubjectRequest.Version"/> one more than <paramref name="expectedVersion"/>.</param>
    /// <param name="expectedVersion">The version the change was made on.</param>
    /// <param name="cancellationToken">Cancels the write.</param>
    /// <returns>Whether it was stored.</returns>
    ValueTask<bool> TryUpdateAsync(DataSubjectRequest request, long expectedVersion, CancellationToken cancellationToken = default);

    /// <summary>Lists requests that match a query (<see cref="DataSubjectRequestQuery.Matches"/>), by due date, then receipt.</summary>
    /// <param name="query">The filters.</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    /// <returns>The requests.</returns>
    ValueTask<IReadOnlyList<DataSubjectRequest>> QueryAsync(DataSubjectRequestQuery query, CancellationToken cancellationToken = default);
}
