using Gdpr.Keys.Infrastructure;
using Gdpr.Keys;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Gdpr.Storage.EfCore.PostgreSql;

/// <summary>
/// Keeps one long-lived PostgreSQL connection that <c>LISTEN</c>s on <c>gdpr_key_shred</c> and evicts from this
/// node's key cache every key another node shreds. Started by the host, or by the key store's first read.
/// </summary>
/// <remarks>
/// <para>Bound: a shred committed on one node is evicted on every connected node as soon as the notification
/// arrives (milliseconds; documented as under one second). While the connection is down, notifications are lost:
/// the cache's <c>KeyCache.MaxAge</c> bounds how long a stale key can be used, and on reconnecting the listener
/// evicts every key shredded within MaxAge (plus a margin for clock skew) before the reconnection.</para>
/// <para>On other databases than PostgreSQL it does nothing and opens no connection.</para>
/// </remarks>
internal sealed class ShredNotificationListener : IHostedService, IAsyncDisposable, IDisposable
{
    internal const string ApplicationName = "gdpr-key-shred-listener";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan PingInterval = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan MaxReconnectDelay = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan ClockSkewMargin = TimeSpan.FromMinutes(1);

    private KeyStoreContextSource? _contexts;
    private readonly IServiceProvider _services;
    private readonly EfCoreKeyStoreOptions _options;
    private readonly TimeSpan _cacheMaxAge;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _firstListen = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private ISubjectKeyCache? _keyCache;
    private Task? _loop;
    private volatile bool _settled;
    private volatile bool _isListening;
    private int _disposed;

    public ShredNotificationListener(
        IServiceProvider services,
        IOptions<EfCoreKeyStoreOptions> options,
        IOptions<GdprOptions> gdprOptions,
        TimeProvider time,
        ILogger<ShredNotificationListener>? logger = null)
    {
        _services = services;
        _options = options.Value;
        _cacheMaxAge = gdprOptions.Value.KeyCache.MaxAge;
        _time = time;
        _logger = logger ?? NullLogger<ShredNotificationListener>.Instance;
    }

    /// <summary>Whether the listener has a live <c>LISTEN</c> (for tests and health checks).</summary>
    internal bool IsListening
    {
        get => _isListening;
        private set => _isListening = value;
    }

    /// <summary>
    /// Starts listening if it has not started yet, and the first time waits (at most 10 s) until <c>LISTEN</c> is in
    /// place or the first connection attempt failed, so that normally no key is cached before this node can hear
    /// about its shredding.
    /// </summary>
    public async ValueTask EnsureStartedAsync(CancellationToken cancellationToken)
    {
        if (_settled)
        {
            return;
        }

        lock (_lock)
        {
            if (_loop is null && !_stopping.IsCancellationRequested)
            {
                if (!_options.ShredNotifications || !IsPostgreSql())
                {
                    _settled = true;
                    return;
                }

                _loop = Task.Run(() => RunAsync(_stopping.Token), CancellationToken.None);
            }
        }

        try
        {
            await _firstListen.Task.WaitAsync(StartTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            PostgreSqlLog.ListenerStartTimedOut(_logger, StartTimeout);
        }

        // From now on, reads do not wait for the listener: while it is down, MaxAge is the backstop.
        _settled = true;
    }

    public Task StartAsync(CancellationToken cancellationToken) => EnsureStartedAsync(cancellationToken).AsTask();

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Task? loop;
        lock (_lock)
        {
            loop = _loop;
            _settled = true;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (loop is not null)
        {
            await loop.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await StopAsync(CancellationToken.None).ConfigureAwait(false);
            _stopping.Dispose();
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The loop ends on its own once cancelled; a synchronous dispose does not wait for it.
            _settled = true;
            _stopping.Cancel();
        }
    }

    // Resolved on first use: the key store's context source needs the dialects, and the PostgreSQL dialect needs this
    // listener. Null when no EF key store is registered (UseEfCorePostgreSql without UseEfCoreKeyStore).
    private KeyStoreContextSource? Contexts => _contexts ??= _services.GetService<KeyStoreContextSource>();

    private bool IsPostgreSql()
    {
        if (Contexts is null)
        {
            return false;
        }

        using var db = Contexts.Create();
        return db.Database.ProviderName == PostgreSqlKeyStoreDialect.Provider;
    }

    private async Task RunAsync(CancellationToken stopping)
    {
        var delay = _options.ListenerReconnectDelay;
        var failed = false;
        while (!stopping.IsCancellationRequested)
        {
            try
            {
                var connection = CreateConnection();
                await using (connection.ConfigureAwait(false))
                {
                    connection.Notification += OnNotification;
                    await connection.OpenAsync(stopping).ConfigureAwait(false);
                    var listen = new NpgsqlCommand("LISTEN " + PostgreSqlKeyStoreDialect.ShredChannel, connection);
                    await using (listen.ConfigureAwait(false))
                    {
                        await listen.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                    }

                    IsListening = true;
                    PostgreSqlLog.ListenerConnected(_logger, PostgreSqlKeyStoreDialect.ShredChannel);
                    if (failed)
                    {
                        // Notifications sent while we were away are lost; the tombstones are not.
                        await ReplayRecentTombstonesAsync(stopping).ConfigureAwait(false);
                    }

                    failed = false;
                    delay = _options.ListenerReconnectDelay;
                    _firstListen.TrySetResult();
                    while (true)
                    {
                        if (!await connection.WaitAsync(PingInterval, stopping).ConfigureAwait(false))
                        {
                            // Idle: make sure the connection still lives, so a silently dropped one is replaced.
                            var ping = new NpgsqlCommand("SELECT 1", connection);
                            await using (ping.ConfigureAwait(false))
                            {
                                await ping.ExecuteNonQueryAsync(stopping).ConfigureAwait(false);
                            }
                        }
                    }
                }
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                IsListening = false;
                failed = true;
                PostgreSqlLog.ListenerFailed(_logger, delay, ex);

                // Do not hold reads back during an outage: MaxAge and the replay on reconnection cover it.
                _firstListen.TrySetResult();
                try
                {
                    await Task.Delay(delay, _time, stopping).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }

                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxReconnectDelay.Ticks));
            }
        }

        IsListening = false;
    }

    private NpgsqlConnection CreateConnection()
    {
        using var db = Contexts!.Create();
        var source = (NpgsqlConnection)db.Database.GetDbConnection();

        // A dedicated, unpooled connection: LISTEN belongs to one session, which lives as long as the node.
        // CloneWith keeps the password and TLS callbacks of the application's configuration.
        var builder = new NpgsqlConnectionStringBuilder(source.ConnectionString)
        {
            Pooling = false,
            ApplicationName = ApplicationName,
        };
        return source.CloneWith(builder.ConnectionString);
    }

    private void OnNotification(object sender, NpgsqlNotificationEventArgs e)
    {
        if (e.Channel != PostgreSqlKeyStoreDialect.ShredChannel)
        {
            return;
        }

        // "<pseudonym>|<scope>": base64url pseudonyms hold no '|', scopes may.
        var separator = e.Payload.IndexOf('|', StringComparison.Ordinal);
        if (separator <= 0 || separator == e.Payload.Length - 1)
        {
            PostgreSqlLog.MalformedNotification(_logger, e.Channel);
            return;
        }

        var pseudonym = e.Payload[..separator];
        var scope = e.Payload[(separator + 1)..];
        KeyCache.Evict(new SubjectPseudonym(pseudonym), scope);
        PostgreSqlLog.ShredNotified(_logger, pseudonym, scope);
    }

    private async Task ReplayRecentTombstonesAsync(CancellationToken cancellationToken)
    {
        // A cached key was loaded at most MaxAge ago, so only shreds since then can have made it stale.
        var since = (_time.GetUtcNow() - _cacheMaxAge - ClockSkewMargin).UtcTicks;
        using var db = Contexts!.Create();
        var shredded = await db.Set<KeyTombstoneRow>().AsNoTracking()
            .Where(t => t.ShreddedAtUtcTicks >= since)
            .Select(t => new { t.Pseudonym, t.Scope })
            .ToListAsync(cancellationToken).ConfigureAwait(false);
        foreach (var tombstone in shredded)
        {
            KeyCache.Evict(new SubjectPseudonym(tombstone.Pseudonym), tombstone.Scope);
        }

        PostgreSqlLog.TombstonesReplayed(_logger, shredded.Count);
    }

    // Resolved late: the key manager depends on the key store, which depends on this listener.
    private ISubjectKeyCache KeyCache => _keyCache ??= _services.GetRequiredService<ISubjectKeyCache>();
}
