using Gdpr.Audit;
using Gdpr.Certificates;
using Gdpr.Diagnostics;
using Gdpr.Erasure;
using Gdpr.Keys;
using Gdpr.Requests;
using Gdpr.Retention;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gdpr.DependencyInjection;

/// <summary>
/// The checks that must pass before the engine touches a key: no in-memory component without the opt-in, every
/// key-encryption key the store refers to present, and the pseudonym key the one the store was created with.
/// Run once when the host starts (<see cref="GdprStartupService"/>) and, without a host, before the first key operation.
/// </summary>
/// <remarks>
/// A failed run is not remembered: the next key operation runs the checks again (a database that was down may be
/// up), and fails the same way for as long as the cause remains. Components are resolved here, after construction,
/// never in a constructor: an application's DbContext built with UseGdpr needs the engine, which needs this.
/// </remarks>
internal sealed class GdprStartupCheck : IDisposable
{
    private readonly IServiceProvider _services;
    private readonly bool _inMemoryAllowed;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private volatile bool _passed;

    public GdprStartupCheck(IServiceProvider services, IOptions<InMemoryStoresOptions> inMemory, ILogger<GdprStartupCheck>? logger = null)
    {
        _services = services;
        _inMemoryAllowed = inMemory.Value.Allowed;
        _logger = logger ?? NullLogger<GdprStartupCheck>.Instance;
    }

    /// <summary>Set by the default registration of the local key ring, which the EF key store may wrap out of sight.</summary>
    internal bool DefaultKeyRingInMemory { get; set; }

    public void Dispose() => _gate.Dispose();

    public ValueTask EnsureAsync(CancellationToken cancellationToken)
        => _passed ? ValueTask.CompletedTask : new ValueTask(RunOnceAsync(cancellationToken));

    private async Task RunOnceAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_passed)
            {
                return;
            }

            var store = _services.GetRequiredService<ISubjectKeyStore>();
            var keyEncryptionKeys = _services.GetRequiredService<IKeyEncryptionKeyProvider>();
            CheckInMemoryComponents(store, keyEncryptionKeys);
            try
            {
                await CheckKeyEncryptionKeysAsync(store, keyEncryptionKeys, cancellationToken).ConfigureAwait(false);
                await CheckPseudonymKeyAsync(store, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or GdprException or ArgumentException))
            {
                // Fail closed, as every key operation does when the store or the KEK provider cannot be reached.
                throw new KeyUnavailableException("The key store or the key-encryption-key provider could not be reached for the start-up checks; nothing was encrypted or decrypted.", ex);
            }

            _passed = true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void CheckInMemoryComponents(ISubjectKeyStore store, IKeyEncryptionKeyProvider keyEncryptionKeys)
    {
        var found = new List<(string Component, string Remedy)>();
        if (store is InMemorySubjectKeyStore)
        {
            found.Add(("key store", "UseEfCoreKeyStore(...) or register an ISubjectKeyStore"));
        }

        if (DefaultKeyRingInMemory || keyEncryptionKeys is LocalKeyEncryptionKeyProvider { IsInMemory: true })
        {
            found.Add(("key-encryption keys (local key ring)", "UseLocalKeyRing(directory) or register a KMS IKeyEncryptionKeyProvider"));
        }

        if (_services.GetService<IAuditStore>() is InMemoryAuditStore)
        {
            found.Add(("audit trail", "UseEfCoreAuditTrail<TContext>() or register an IAuditStore"));
        }

        if (_services.GetService<IRetentionScheduleStore>() is InMemoryRetentionScheduleStore)
        {
            found.Add(("retention schedule", "UseEfCoreRetentionSchedule<TContext>() or register an IRetentionScheduleStore"));
        }

        if (_services.GetService<ILegalHoldStore>() is InMemoryLegalHoldStore)
        {
            found.Add(("legal holds", "UseEfCoreLegalHolds<TContext>() or register an ILegalHoldStore"));
        }

        if (_services.GetService<IDataSubjectRequestStore>() is InMemoryDataSubjectRequestStore)
        {
            found.Add(("data-subject request store", "UseEfCoreDataSubjectRequests<TContext>() or register an IDataSubjectRequestStore"));
        }

        if (_services.GetService<CertificateSigningKey>() is { IsEphemeral: true })
        {
            found.Add(("erasure-certificate signing key", "UseCertificateSigningKey(directory)"));
        }

        if (found.Count == 0)
        {
            return;
        }

        if (!_inMemoryAllowed)
        {
            throw new InMemoryStoresNotAllowedException([.. found.Select(f => $"{f.Component} ({f.Remedy})")]);
        }

        foreach (var (component, _) in found)
        {
            DiagnosticsLog.InMemoryComponent(_logger, component);
        }
    }

    private async Task CheckKeyEncryptionKeysAsync(ISubjectKeyStore store, IKeyEncryptionKeyProvider keyEncryptionKeys, CancellationToken cancellationToken)
    {
        var inUse = await store.GetKeyEncryptionKeyIdsInUseAsync(cancellationToken).ConfigureAwait(false);
        if (inUse is null)
        {
            DiagnosticsLog.KeyEncryptionKeyCheckUnsupported(_logger);
            return;
        }

        if (inUse.Count == 0)
        {
            return;
        }

        var available = new HashSet<string>(await keyEncryptionKeys.GetKeyIdsAsync(cancellationToken).ConfigureAwait(false), StringComparer.Ordinal);
        var missing = inUse.Where(id => !available.Contains(id)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (missing.Count > 0)
        {
            DiagnosticsLog.KeyEncryptionKeysMissing(_logger, string.Join(", ", missing));
            throw new MissingKeyEncryptionKeysException(missing);
        }
    }

    private async Task CheckPseudonymKeyAsync(ISubjectKeyStore store, CancellationToken cancellationToken)
    {
        var expected = _services.GetRequiredService<SubjectPseudonymizer>().ComputeKeyCheck();
        var stored = await store.AddPseudonymKeyCheckAsync(expected, cancellationToken).ConfigureAwait(false);
        if (stored is null)
        {
            DiagnosticsLog.PseudonymKeyCheckUnsupported(_logger);
            return;
        }

        // Not a secret comparison: the check value reveals nothing of the key, so no constant-time compare is needed.
        if (!string.Equals(stored, expected, StringComparison.Ordinal))
        {
            DiagnosticsLog.PseudonymKeyMismatch(_logger);
            throw new PseudonymKeyMismatchException();
        }
    }
}
