using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Gdpr.Keys;

/// <summary>
/// A bounded cache of unwrapped data keys, limited in count and age. Keys leave it wiped: on eviction, on expiry
/// and at once on a shred.
/// </summary>
internal sealed class DataKeyCache : IDisposable
{
    private readonly ConcurrentDictionary<(string SubjectId, string Scope), DataKeyEntry> _entries = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly TimeSpan _maxAge;
    private readonly Lock _trimLock = new();
    private readonly ITimer _sweep;
    private long _shredEpoch;

    public DataKeyCache(IOptions<GdprOptions> options, TimeProvider time)
    {
        _time = time;
        _maxEntries = options.Value.KeyCache.MaxEntries;
        _maxAge = options.Value.KeyCache.MaxAge;

        // Expiry is otherwise only noticed when a key is asked for again: sweep so idle keys are wiped too.
        // (A timer period is capped at ~49 days; a day is plenty for long MaxAge values.)
        var period = _maxAge < TimeSpan.FromDays(1) ? _maxAge : TimeSpan.FromDays(1);
        _sweep = time.CreateTimer(static state => ((DataKeyCache)state!).RemoveExpired(), this, period, period);
    }

    public int Count => _entries.Count;

    /// <summary>Changes after every shred, so a load that raced with a shred does not cache what it read.</summary>
    public long ShredEpoch => Volatile.Read(ref _shredEpoch);

    public long Now() => _time.GetTimestamp();

    public bool TryAcquire(string subjectId, string scope, [NotNullWhen(true)] out DataKeyEntry? entry)
    {
        if (_entries.TryGetValue((subjectId, scope), out entry))
        {
            if (_time.GetElapsedTime(entry.LoadedAt) >= _maxAge)
            {
                Remove(entry);
            }
            else if (entry.TryAcquire())
            {
                return true;
            }
        }

        entry = null;
        return false;
    }

    /// <summary>Caches <paramref name="entry"/> (fresh, holding the cache's reference) and returns it with a reference for the caller.</summary>
    public DataKeyEntry AddAndAcquire(DataKeyEntry entry, long epochBeforeLoad)
    {
        entry.TryAcquire();
        var key = (entry.SubjectId, entry.Scope);
        // Not AddOrUpdate: its update factory may run several times for one existing entry (under contention, or
        // when Evict removed it meanwhile), releasing it twice and wiping a key an operation still uses.
        while (!_entries.TryAdd(key, entry))
        {
            if (_entries.TryGetValue(key, out var existing) && _entries.TryUpdate(key, entry, existing))
            {
                existing.Release();
                break;
            }
        }

        // A shred ran while we were loading: what we read may be the destroyed key. Do not keep it.
        if (ShredEpoch != epochBeforeLoad)
        {
            Remove(entry);
        }

        if (_entries.Count > _maxEntries)
        {
            Trim();
        }

        return entry;
    }

    public void Evict(string subjectId, string scope)
    {
        Interlocked.Increment(ref _shredEpoch);
        if (_entries.TryRemove((subjectId, scope), out var removed))
        {
            removed.Release();
        }
    }

    public int Evict(SubjectPseudonym pseudonym, string? scope)
    {
        Interlocked.Increment(ref _shredEpoch);
        var evicted = 0;
        foreach (var (_, entry) in _entries)
        {
            if (entry.Pseudonym == pseudonym && (scope is null || entry.Scope == scope) && Remove(entry))
            {
                evicted++;
            }
        }

        return evicted;
    }

    public void Dispose()
    {
        _sweep.Dispose();
        foreach (var (_, entry) in _entries)
        {
            Remove(entry);
        }
    }

    private bool Remove(DataKeyEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<(string, string), DataKeyEntry>((entry.SubjectId, entry.Scope), entry)))
        {
            entry.Release();
            return true;
        }

        return false;
    }

    private void RemoveExpired()
    {
        foreach (var (_, entry) in _entries)
        {
            if (_time.GetElapsedTime(entry.LoadedAt) >= _maxAge)
            {
                Remove(entry);
            }
        }
    }

    private void Trim()
    {
        // Drop the oldest tenth at once so that a full cache does not sort on every insert.
        lock (_trimLock)
        {
            var excess = _entries.Count - _maxEntries;
            if (excess <= 0)
            {
                return;
            }

            var toRemove = Math.Max(excess, _maxEntries / 10);
            foreach (var entry in _entries.Values.OrderBy(e => e.LoadedAt).Take(toRemove))
            {
                Remove(entry);
            }
        }
    }
}
