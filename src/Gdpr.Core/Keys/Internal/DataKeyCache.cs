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

    // Shreds that know only the pseudonym (the sweeper, other nodes' notifications) find entries here instead of
    // scanning the cache. A hint, not the truth: a miss or a stale hit falls back to a scan.
    private readonly ConcurrentDictionary<(SubjectPseudonym Pseudonym, string Scope), DataKeyEntry> _byPseudonym = new();
    private readonly TimeProvider _time;
    private readonly int _maxEntries;
    private readonly Lock _trimLock = new();
    private readonly bool _systemClock;
    private readonly long _maxAge;
    private readonly ITimer _sweep;
    private long _shredEpoch;

    // Kept beside the dictionary: ConcurrentDictionary.Count takes every one of its locks (up to 1,024 once the
    // table has grown), which cost more than creating the key itself when it was checked on every add.
    private int _count;

    private readonly ITimer? _clock;
    private long _coarseNow;

    // The entry this thread used last (of any cache; entries know their owner). A request usually reads or writes
    // several fields of one subject in a row; comparing two strings is far cheaper than hashing them.
    [ThreadStatic]
    private static DataKeyEntry? t_lastUsed;

    public DataKeyCache(IOptions<GdprOptions> options, TimeProvider time)
    {
        _time = time;
        _maxEntries = options.Value.KeyCache.MaxEntries;
        _systemClock = ReferenceEquals(time, TimeProvider.System);
        var maxAge = options.Value.KeyCache.MaxAge;

        // In the units of Now(), converted once in integer arithmetic (a double loses ~100 ticks at today's timestamps).
        _maxAge = _systemClock
            ? (long)maxAge.TotalMilliseconds
            : (long)Int128.Min(long.MaxValue, (Int128)maxAge.Ticks * time.TimestampFrequency / TimeSpan.TicksPerSecond);

        if (_systemClock)
        {
            // Ages on the system clock come from a field a timer refreshes: even the coarse tick count costs more
            // than the rest of a cache hit. Entries may expire up to one period early, never late.
            _coarseNow = Environment.TickCount64;
            var tick = TimeSpan.FromMilliseconds(Math.Clamp(maxAge.TotalMilliseconds / 10, 10, 250));
            _clock = time.CreateTimer(static state => ((DataKeyCache)state!).RefreshClock(), this, tick, tick);
        }

        // Expiry is otherwise only noticed when a key is asked for again: sweep so idle keys are wiped too.
        // (A timer period is capped at ~49 days; a day is plenty for long MaxAge values.)
        var period = maxAge < TimeSpan.FromDays(1) ? maxAge : TimeSpan.FromDays(1);
        _sweep = time.CreateTimer(static state => ((DataKeyCache)state!).RemoveExpired(), this, period, period);
    }

    public int Count => Volatile.Read(ref _count);

    /// <summary>Changes after every shred, so a load that raced with a shred does not cache what it read.</summary>
    public long ShredEpoch => Volatile.Read(ref _shredEpoch);

    /// <summary>
    /// A monotonic time for ages. On the system clock: milliseconds, refreshed by a timer a few times a second (an
    /// age limit of minutes needs no better, and a read of the clock itself costs more than the rest of a cache hit).
    /// Any other <see cref="TimeProvider"/> (a FakeTimeProvider in tests) gives its timestamp, exact to its resolution.
    /// </summary>
    public long Now() => _systemClock ? Volatile.Read(ref _coarseNow) : _time.GetTimestamp();

    private void RefreshClock() => Volatile.Write(ref _coarseNow, Environment.TickCount64);

    public bool TryGet(string subjectId, string scope, [NotNullWhen(true)] out DataKeyEntry? entry)
    {
        var now = Now();
        entry = t_lastUsed;
        if (entry is not null
            && ReferenceEquals(entry.Owner, this)
            && !entry.IsDisposed
            && string.Equals(entry.SubjectId, subjectId, StringComparison.Ordinal)
            && string.Equals(entry.Scope, scope, StringComparison.Ordinal)
            && now - entry.LoadedAt < _maxAge)
        {
            return true;
        }

        if (_entries.TryGetValue((subjectId, scope), out entry))
        {
            if (now - entry.LoadedAt >= _maxAge)
            {
                Remove(entry);
            }
            else
            {
                t_lastUsed = entry;
                return true;
            }
        }

        entry = null;
        return false;
    }

    /// <summary>
    /// Caches a freshly loaded entry. Returns false — and leaves the entry to the caller to dispose — when a shred
    /// ran during the load, since what was loaded may be the destroyed key.
    /// </summary>
    public bool TryAdd(DataKeyEntry entry, long epochBeforeLoad)
    {
        if (ShredEpoch != epochBeforeLoad)
        {
            return false;
        }

        entry.Owner = this;
        var key = (entry.SubjectId, entry.Scope);
        var added = true;
        // Not AddOrUpdate: its update factory may run several times for one existing entry (under contention, or
        // when Evict removed it meanwhile), releasing it twice and wiping a key an operation still uses.
        while (!_entries.TryAdd(key, entry))
        {
            // Replacing an entry leaves the count as it is.
            if (_entries.TryGetValue(key, out var existing) && _entries.TryUpdate(key, entry, existing))
            {
                existing.Dispose();
                added = false;
                break;
            }
        }

        if (added)
        {
            Interlocked.Increment(ref _count);
        }

        _byPseudonym[(entry.Pseudonym, entry.Scope)] = entry;

        // A shred that ran between the check above and the inserts bumped the epoch before evicting; it may have
        // missed our entry, so look again.
        if (ShredEpoch != epochBeforeLoad)
        {
            Remove(entry);
        }

        if (Count > _maxEntries)
        {
            Trim(entry);
        }

        return true;
    }

    /// <summary>Drops and wipes a subject's entry.</summary>
    public void Evict(string subjectId, string scope)
    {
        Interlocked.Increment(ref _shredEpoch);
        if (_entries.TryRemove((subjectId, scope), out var removed))
        {
            Interlocked.Decrement(ref _count);
            _byPseudonym.TryRemove(new KeyValuePair<(SubjectPseudonym, string), DataKeyEntry>((removed.Pseudonym, removed.Scope), removed));
            removed.Dispose();
        }
    }

    public int Evict(SubjectPseudonym pseudonym, string? scope)
    {
        Interlocked.Increment(ref _shredEpoch);
        if (scope is not null)
        {
            if (!_byPseudonym.TryGetValue((pseudonym, scope), out var hinted))
            {
                // Every live entry is indexed before its adder re-checks the epoch we just bumped.
                return 0;
            }

            if (Remove(hinted))
            {
                return 1;
            }
        }

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
        _clock?.Dispose();
        foreach (var (_, entry) in _entries)
        {
            Remove(entry);
        }
    }

    private bool Remove(DataKeyEntry entry)
    {
        if (_entries.TryRemove(new KeyValuePair<(string, string), DataKeyEntry>((entry.SubjectId, entry.Scope), entry)))
        {
            Interlocked.Decrement(ref _count);
            _byPseudonym.TryRemove(new KeyValuePair<(SubjectPseudonym, string), DataKeyEntry>((entry.Pseudonym, entry.Scope), entry));
            entry.Dispose();
            return true;
        }

        return false;
    }

    private void RemoveExpired()
    {
        var now = Now();
        foreach (var (_, entry) in _entries)
        {
            if (now - entry.LoadedAt >= _maxAge)
            {
                Remove(entry);
            }
        }
    }

    private void Trim(DataKeyEntry justAdded)
    {
        // Drop the oldest tenth at once so that a full cache does not sort on every insert.
        lock (_trimLock)
        {
            var excess = Count - _maxEntries;
            if (excess <= 0)
            {
                return;
            }

            var toRemove = Math.Max(excess, _maxEntries / 10);

            // Oldest first, sorted on the load times as primitive keys rather than through a key selector;
            // enumerating the dictionary takes none of its locks, unlike its Values.
            var entries = new DataKeyEntry[Count + 16];
            var loadedAt = new long[entries.Length];
            var n = 0;
            foreach (var (_, entry) in _entries)
            {
                if (n == entries.Length)
                {
                    break; // Added meanwhile: the next trim sees them.
                }

                if (!ReferenceEquals(entry, justAdded)) // Load times tie on a coarse or fake clock: never drop the new one.
                {
                    entries[n] = entry;
                    loadedAt[n++] = entry.LoadedAt;
                }
            }

            Array.Sort(loadedAt, entries, 0, n);
            for (var i = 0; i < Math.Min(toRemove, n); i++)
            {
                Remove(entries[i]);
            }
        }
    }
}
