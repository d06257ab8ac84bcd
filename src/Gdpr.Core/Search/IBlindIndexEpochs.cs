namespace Gdpr.Search;

/// <summary>
/// The epochs of the blind indexes' root keys: start a new one, re-index (<c>BlindIndexReindexer&lt;TContext&gt;</c> in
/// the EF Core adapter), then destroy the old one once every backup older than the new epoch has expired, so that an
/// index value in such a backup matches nothing (docs/search.md).
/// </summary>
public interface IBlindIndexEpochs
{
    /// <summary>Lists the live epochs, newest first (the newest takes the writes).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The epoch numbers; empty before the first indexed write.</returns>
    ValueTask<IReadOnlyList<int>> GetLiveEpochsAsync(CancellationToken cancellationToken = default);

    /// <summary>Starts a new epoch: writes use it from now on (on other nodes within <see cref="KeyCacheOptions.MaxAge"/>).</summary>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns>The new epoch's number.</returns>
    ValueTask<int> StartEpochAsync(CancellationToken cancellationToken = default);

    /// <summary>Destroys an older epoch's root key, as a shred: index values computed under it match nothing any more.</summary>
    /// <param name="epoch">The epoch to destroy; not the newest.</param>
    /// <param name="cancellationToken">Cancels the call.</param>
    /// <returns><see langword="false"/> when the epoch did not exist or was destroyed already.</returns>
    /// <exception cref="InvalidOperationException">The epoch is the newest one, which writes use.</exception>
    ValueTask<bool> DestroyEpochAsync(int epoch, CancellationToken cancellationToken = default);
}
