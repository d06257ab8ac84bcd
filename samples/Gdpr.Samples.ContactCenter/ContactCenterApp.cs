using System.Security.Cryptography;
using System.Text;
using Gdpr.Certificates;
using Gdpr.Erasure;
using Gdpr.Export;
using Gdpr.Keys;
using Gdpr.Retention;
using Gdpr.Samples.ContactCenter.Model;
using Gdpr.Storage.EfCore;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Samples.ContactCenter;

/// <summary>
/// The contact center: one SQLite file for data and keys (wrapped), and a folder beside it for the secrets that
/// must never sit in the same backup — the key-encryption keys, the pseudonym key and the certificate signing key.
/// </summary>
public sealed partial class ContactCenterApp : IAsyncDisposable
{
    /// <summary>The sample's retention policies (registered at start, and read by the sweep preview).</summary>
    private static readonly RetentionPolicy[] AllPolicies =
    [
        new()
        {
            Name = Policies.Default,
            Clock = RetentionClock.RelationshipEnd,
            Years = 1,
            LegalBasis = "Contract (Art. 6(1)(b)); kept one year after the customer relationship ends for follow-up questions",
        },
        new()
        {
            Name = Policies.Tax,
            Clock = RetentionClock.RelationshipEnd,
            Years = 7,
            IsLegalObligation = true,
            LegalBasis = "Dutch AWR art. 52: fiscal records are kept seven years (GDPR Art. 17(3)(b))",
        },
        new()
        {
            Name = Policies.Marketing,
            Clock = RetentionClock.Collection,
            Years = 1,
            DeleteRowsOnErasure = true,
            LegalBasis = "Consent (Art. 6(1)(a)); withdrawn or erased at once, otherwise renewed yearly",
        },
        new()
        {
            Name = Policies.Requests,
            Clock = RetentionClock.RelationshipEnd,
            Years = 5,
            LegalBasis = "Accountability (Art. 5(2)): a data-subject request's record, the requester's details included, is kept five years after it closed (this sample's choice)",
        },
    ];

    private readonly ServiceProvider _services;
    private readonly TextWriter _out;
    private readonly string _databasePath;

    private ContactCenterApp(ServiceProvider services, TextWriter output, string databasePath)
    {
        _services = services;
        _out = output;
        _databasePath = databasePath;
    }

    /// <summary>Opens the database at <paramref name="databasePath"/>, creating it and its keys only when <paramref name="create"/>.</summary>
    /// <param name="databasePath">The SQLite file.</param>
    /// <param name="output">Where verbs write what they did.</param>
    /// <param name="time">The clock; a fixed one lets the sweep preview see the future.</param>
    /// <param name="create">Whether a missing database and keys are created (seed, demo); read verbs pass <see langword="false"/>.</param>
    /// <param name="cancellationToken">Cancels the opening.</param>
    /// <returns>The app.</returns>
    public static async Task<ContactCenterApp> OpenAsync(string databasePath, TextWriter output, TimeProvider? time = null, bool create = true, CancellationToken cancellationToken = default)
    {
        var fullPath = Path.GetFullPath(databasePath);
        if (Directory.Exists(fullPath))
        {
            throw new SampleFileSystemException($"--db is a folder, not a database file: {fullPath}");
        }

        var directory = Path.GetDirectoryName(fullPath)!;
        if (!create && !File.Exists(fullPath))
        {
            // A mistyped --db must not quietly become a new, empty database with new keys.
            throw new SampleInputException($"no database at {fullPath} (create one with 'seed' or 'demo')");
        }

        if (create && !Directory.Exists(directory))
        {
            throw new SampleInputException($"the folder of --db does not exist: {directory}");
        }

        var provider = await CreateServicesAsync<ContactCenterDb>(fullPath, time, createKeys: create, cancellationToken);
        try
        {
            await using (var db = await provider.GetRequiredService<IDbContextFactory<ContactCenterDb>>().CreateDbContextAsync(cancellationToken))
            {
                if (create)
                {
                    await db.Database.EnsureCreatedAsync(cancellationToken);
                }
                else
                {
                    // Fails here, as a database error, when the file is not SQLite, is corrupt or is another program's.
                    await db.Customers.AnyAsync(cancellationToken);
                }
            }
        }
        catch
        {
            await provider.DisposeAsync();
            throw;
        }

        return new ContactCenterApp(provider, output, fullPath);
    }

    /// <summary>
    /// The SDK's services for the database at <paramref name="fullPath"/> with <typeparamref name="TContext"/> as the
    /// application's context and the SDK's stores in it; the secrets are read from the folder beside the database,
    /// and created there first when <paramref name="createKeys"/> (otherwise missing secrets are refused).
    /// </summary>
    internal static async Task<ServiceProvider> CreateServicesAsync<TContext>(string fullPath, TimeProvider? time, bool createKeys, CancellationToken cancellationToken)
        where TContext : DbContext
    {
        var secrets = fullPath + ".keys";
        if (createKeys)
        {
            if (OperatingSystem.IsWindows())
            {
                Directory.CreateDirectory(secrets);
            }
            else
            {
                Directory.CreateDirectory(secrets, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
        else
        {
            foreach (var required in new[] { Path.Combine(secrets, "pseudonym.key"), Path.Combine(secrets, "kek") })
            {
                if (!File.Exists(required) && !Directory.Exists(required))
                {
                    throw new SampleInputException($"no keys at {secrets} for the database at {fullPath} (missing {Path.GetFileName(required)})");
                }
            }
        }

        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        var pseudonymKeyPath = Path.Combine(secrets, "pseudonym.key");
        var pseudonymKey = createKeys ? LoadOrCreateSecret(pseudonymKeyPath) : await File.ReadAllBytesAsync(pseudonymKeyPath, cancellationToken);
        var gdpr = services.AddGdpr(o => o.PseudonymKey = pseudonymKey);
        foreach (var policy in AllPolicies)
        {
            gdpr.AddRetentionPolicy(policy);
        }

        gdpr.UseLocalKeyRing(Path.Combine(secrets, "kek"))
            .UseCertificateSigningKey(Path.Combine(secrets, "signing"))
            .ConfigureExport(ConfigureExport)
            .AddEfCoreContext<TContext>((_, options) => options.UseSqlite(ConnectionString(fullPath)))
            .UseEfCoreStores<TContext>()
            .AddDataSubjectRequests(o => ConfigureRequests(o, fullPath));
        return services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    /// <summary>What the export says about the controller (Art. 13, 14, 15): who, which purposes, which recipients.</summary>
    private static void ConfigureExport(ExportOptions o)
    {
        o.Controller.Name = "Example Contact Center B.V.";
        o.Controller.Contact = "privacy@contact-center.example, Postbus 1, 1000 AA Amsterdam";
        o.DataProtectionOfficer.Name = "Data Protection Officer";
        o.DataProtectionOfficer.Contact = "dpo@contact-center.example";
        o.SupervisoryAuthority.Name = "Autoriteit Persoonsgegevens";
        o.SupervisoryAuthority.Contact = "Postbus 93374, 2509 AJ Den Haag";
        o.NoAutomatedDecisionMaking = true; // the controller's statement (Art. 22), never the SDK's default
        o.Purposes["customer-service"] = "Answering questions and complaints by phone, chat and e-mail";
        o.Purposes["delivery"] = "Delivering orders";
        o.Purposes["identity-check"] = "Checking who is calling before discussing an account";
        o.Purposes["chat"] = "Keeping a chat session together across pages";
        o.Purposes["security"] = "Detecting abuse of the chat service";
        o.Purposes["quality-assurance"] = "Training agents with recorded calls (announced before recording)";
        o.Purposes["invoicing"] = "Invoicing and the fiscal records the law requires";
        o.Purposes["marketing"] = "Offers matching your interests, with your consent";
        o.Recipients.Add(new RecipientInfo { Name = "Tax authority (Belastingdienst)", Description = "Invoices, on request, as the law requires" });
    }

    /// <summary>The connection string of the sample's SQLite file (no pooling: a verb's files are closed when it ends).</summary>
    internal static string ConnectionString(string fullPath, SqliteOpenMode mode = SqliteOpenMode.ReadWriteCreate)
        => new SqliteConnectionStringBuilder { DataSource = fullPath, Mode = mode, Pooling = false }.ToString();

    /// <summary>Gets the services (for tests and for the curious).</summary>
    public IServiceProvider Services => _services;

    public async Task<int> SeedAsync(int customers, CancellationToken cancellationToken)
    {
        if (customers is < 1 or > 100_000)
        {
            throw new SampleInputException("--customers must be between 1 and 100000");
        }

        await SeedCoreAsync(customers, cancellationToken);
        return 0;
    }

    private async Task<string> SeedCoreAsync(int customers, CancellationToken cancellationToken)
    {
        await using var db = await CreateDbAsync(cancellationToken);
        var first = await db.Customers.CountAsync(cancellationToken) + 1;
        var time = _services.GetRequiredService<TimeProvider>();
        var now = time.GetUtcNow();
        for (var n = first; n < first + customers; n++)
        {
            var number = $"C-{n:D4}";
            var fake = FakePerson.Create(n);
            db.Customers.Add(new Customer { CustomerNumber = number, FullName = fake.Name, Address = fake.Address, Phone = fake.Phone, Email = fake.Email, DateOfBirth = fake.DateOfBirth });
            db.ChatSessions.Add(new ChatSession { CustomerNumber = number, StartedAt = now.AddDays(-3), WebsiteCookieId = fake.CookieId, IpAddress = fake.IpAddress, Transcript = $"Visitor: Hello, this is {fake.Name}. Where is my order?\nAgent: Let me check that for you." });
            db.CallRecords.Add(new CallRecord { CustomerNumber = number, CalledAt = now.AddDays(-2), DurationSeconds = 185, CallerNumber = fake.Phone, Recording = FakePerson.Recording(n) });
            db.Invoices.Add(new Invoice { CustomerNumber = number, InvoiceNumber = $"INV-{n:D6}", InvoiceDate = DateOnly.FromDateTime(now.UtcDateTime.AddDays(-10)), BilledName = fake.Name, BillingAddress = fake.Address, Amount = 19.95m + n });
            db.InterestProfiles.Add(new InterestProfile { CustomerNumber = number, Interests = fake.Interests });
        }

        await db.SaveChangesAsync(cancellationToken);
        _out.WriteLine($"Seeded {customers} customer(s) with chats, calls, invoices and interest profiles: C-{first:D4} to C-{first + customers - 1:D4}.");
        return $"C-{first:D4}";
    }

    public async Task<int> ListSubjectsAsync(CancellationToken cancellationToken)
    {
        var keys = _services.GetRequiredService<ISubjectKeyManager>();
        var keyStore = _services.GetRequiredService<ISubjectKeyStore>();
        foreach (var subject in await GetSubjectsAsync(cancellationToken))
        {
            var destroyed = new SortedSet<string>(StringComparer.Ordinal);
            await foreach (var tombstone in keyStore.GetTombstonesAsync(keys.GetPseudonym(subject), cancellationToken))
            {
                destroyed.Add(tombstone.Scope);
            }

            // Erased: the customer's own profile scope is destroyed (by an erasure, or by retention after the relationship ended).
            _out.WriteLine(destroyed.Contains(Policies.Default)
                ? $"{subject}  erased (destroyed: {string.Join(", ", destroyed)})"
                : subject);
        }

        return 0;
    }

    /// <summary>Looks a customer up by phone number or e-mail address through the blind index: no table is decrypted.</summary>
    public async Task<int> FindAsync(string? phone, string? email, CancellationToken cancellationToken)
    {
        if ((phone is null) == (email is null))
        {
            throw new SampleInputException("give exactly one of --phone and --email");
        }

        await using var db = await CreateDbAsync(cancellationToken);
        var filter = phone is not null
            ? await db.CreateBlindIndexFilterAsync<Customer>(c => c.Phone, phone, cancellationToken)
            : await db.CreateBlindIndexFilterAsync<Customer>(c => c.Email, email, cancellationToken);
        var found = await db.Customers.AsNoTracking().OrderBy(c => c.CustomerNumber).ToListMatchingAsync(filter, cancellationToken);
        if (found.Count == 0)
        {
            _out.WriteLine("No customer found.");
            return 0;
        }

        foreach (var customer in found)
        {
            _out.WriteLine(customer.CustomerNumber);
        }

        return 0;
    }

    public async Task<int> ExportAsync(string subjectId, FileInfo output, CancellationToken cancellationToken)
    {
        await RequireSubjectAsync(subjectId, cancellationToken);
        var format = output.Extension.ToUpperInvariant() switch
        {
            ".JSON" => ExportFormat.Json,
            ".CSV" => ExportFormat.Csv,
            ".ZIP" => ExportFormat.Zip,
            _ => throw new SampleInputException($"--out must end in .json, .csv or .zip, not '{output.Extension}'"),
        };
        RequireFolder(output);
        var summary = await _services.GetRequiredService<IPersonalDataExporter>().ExportToFileAsync(subjectId, output.FullName, format, ExportKind.Access, cancellationToken);
        _out.WriteLine($"Exported {summary.ValueCount} value(s) ({summary.ErasedCount} erased, {summary.FileCount} file(s)) to {output.FullName}.");
        return 0;
    }

    public async Task<int> EraseAsync(string subjectId, FileInfo certificate, CancellationToken cancellationToken)
    {
        await RequireSubjectAsync(subjectId, cancellationToken);
        RequireFolder(certificate);
        var result = await _services.GetRequiredService<IErasureService>().EraseAsync(subjectId, cancellationToken);
        PrintErasure(result);
        if (result.Outcome == ErasureOutcome.Inconsistent)
        {
            // Not a retryable failure: the data is there but its keys are not (a wrong pseudonym key, lost keys).
            Console.Error.WriteLine("error: the database holds this customer's data but the key store has no key for it (a wrong pseudonym key or lost keys); nothing was erased and no certificate was issued.");
            return ExitCodes.Incomplete;
        }

        if (result.Certificate is null)
        {
            Console.Error.WriteLine("error: the erasure did not complete (see above); run it again to finish it.");
            return ExitCodes.Incomplete;
        }

        await WriteCertificateAsync(result.Certificate, certificate.FullName, cancellationToken);
        _out.WriteLine($"Certificate: {certificate.FullName} (signature: {certificate.FullName}.sig)");
        return 0;
    }

    /// <summary>Verifies a certificate against a public key; needs no database.</summary>
    /// <param name="certificate">The certificate (its signature is the file beside it, ending in .sig).</param>
    /// <param name="publicKey">The PEM public key.</param>
    /// <param name="output">Where the result is written.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The exit code.</returns>
    public static async Task<int> VerifyAsync(FileInfo certificate, FileInfo publicKey, TextWriter output, CancellationToken cancellationToken)
    {
        var signaturePath = certificate.FullName + ".sig";
        foreach (var path in new[] { certificate.FullName, signaturePath, publicKey.FullName })
        {
            if (!File.Exists(path))
            {
                throw new SampleInputException($"file not found: {path}");
            }
        }

        var json = await File.ReadAllBytesAsync(certificate.FullName, cancellationToken);
        var signature = await File.ReadAllBytesAsync(signaturePath, cancellationToken);
        var pem = await File.ReadAllTextAsync(publicKey.FullName, cancellationToken);
        bool valid;
        try
        {
            valid = ErasureCertificateVerifier.Verify(json, signature, pem);
        }
        catch (ArgumentException)
        {
            throw new SampleInputException($"not an Ed25519 public key in PEM form: {publicKey.FullName}");
        }

        if (!valid)
        {
            Console.Error.WriteLine("error: the certificate's signature does not verify with that public key.");
            return ExitCodes.SignatureInvalid;
        }

        output.WriteLine("The certificate's signature is valid.");
        return ExitCodes.Success;
    }

    public async Task<int> WritePublicKeyAsync(FileInfo output, CancellationToken cancellationToken)
    {
        RequireFolder(output);
        var signing = Path.Combine(_databasePath + ".keys", "signing");
        if (!Directory.Exists(signing))
        {
            // The signing key is made with the first certificate; a read verb does not make one.
            throw new SampleInputException($"no certificate-signing key at {signing} yet (it is created by the first 'erase')");
        }

        await File.WriteAllTextAsync(output.FullName, PublicKeyPem, cancellationToken);
        _out.WriteLine($"Wrote the certificate-signing public key to {output.FullName}.");
        return 0;
    }

    /// <summary>Destroys every scope whose retention has ended, as of the real clock.</summary>
    /// <param name="cancellationToken">Cancels the sweep.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var report = await _services.GetRequiredService<IRetentionSweeper>().SweepAsync(cancellationToken);
        _out.WriteLine($"Sweep as of {report.SweptAt:yyyy-MM-dd}: {report.Destroyed} scope(s) destroyed, {report.AlreadyDestroyed} already gone, {report.SkippedForHolds} held, {report.Failed} failed.");
        return report.Failed == 0 ? ExitCodes.Success : ExitCodes.Incomplete;
    }

    /// <summary>
    /// Shows what the sweeper would destroy as of <paramref name="asOf"/> (default now) and destroys nothing: the
    /// same two sources the sweeper reads (the retention schedule, and key ages for policies counting from collection).
    /// </summary>
    /// <param name="asOf">The date judged against; may be in the future.</param>
    /// <param name="cancellationToken">Cancels the reads.</param>
    /// <returns>The exit code.</returns>
    public async Task<int> PreviewSweepAsync(DateTimeOffset? asOf, CancellationToken cancellationToken)
    {
        var when = asOf ?? _services.GetRequiredService<TimeProvider>().GetUtcNow();
        var keys = _services.GetRequiredService<ISubjectKeyManager>();
        var keyStore = _services.GetRequiredService<ISubjectKeyStore>();
        var schedule = _services.GetRequiredService<IRetentionScheduleStore>();
        var subjects = (await GetSubjectsAsync(cancellationToken)).Select(s => (Id: s, Pseudonym: keys.GetPseudonym(s))).ToList();
        var held = await _services.GetRequiredService<ILegalHoldStore>().GetHeldAsync([.. subjects.Select(s => s.Pseudonym)], cancellationToken);
        int due = 0, kept = 0;
        foreach (var (id, pseudonym) in subjects)
        {
            foreach (var policy in AllPolicies)
            {
                var state = await keyStore.GetStateAsync(pseudonym, policy.Name, cancellationToken);
                if (state.Key is null)
                {
                    continue; // nothing left to destroy
                }

                var destroyAfter = (await schedule.GetAsync(pseudonym, policy.Name, cancellationToken))?.DestroyAfter;
                if (policy.Clock == RetentionClock.Collection && policy.HasPeriod)
                {
                    var expiry = policy.GetExpiry(state.Key.CreatedAt);
                    destroyAfter = destroyAfter is null || expiry < destroyAfter ? expiry : destroyAfter;
                }

                if (destroyAfter is null || destroyAfter > when)
                {
                    continue;
                }

                var isHeld = held.Contains(pseudonym);
                _out.WriteLine($"   {id} scope {policy.Name,-10} due {destroyAfter:yyyy-MM-dd}{(isHeld ? ", kept: legal hold" : "")}");
                if (isHeld)
                {
                    kept++;
                }
                else
                {
                    due++;
                }
            }
        }

        _out.WriteLine($"Sweep preview as of {when:yyyy-MM-dd}: {due} scope(s) would be destroyed, {kept} held. Nothing was destroyed; 'sweep --apply' destroys what is due today.");
        return ExitCodes.Success;
    }

    public async Task<int> RotateKeyEncryptionKeyAsync(CancellationToken cancellationToken)
    {
        var result = await _services.GetRequiredService<ISubjectKeyManager>().RotateKeyEncryptionKeyAsync(cancellationToken);
        _out.WriteLine($"New key-encryption key {result.NewKeyId}: {result.RewrappedKeys} data key(s) rewrapped, {result.RetiredKeyIds.Count} old KEK(s) retired ({string.Join(", ", result.RetiredKeyIds)}).");
        return 0;
    }

    public async Task<int> DemoAsync(CancellationToken cancellationToken)
    {
        // Fresh customers every run, so the demo never shows a customer an earlier run already erased.
        var subject = await SeedCoreAsync(3, cancellationToken);
        var folder = Path.GetDirectoryName(_databasePath)!;
        _out.WriteLine();
        _out.WriteLine($"1. At rest — how {subject}'s e-mail address is stored:");
        await ShowCiphertextAsync(subject, cancellationToken);

        _out.WriteLine();
        _out.WriteLine($"2. Access request (Art. 15) — exporting {subject}:");
        await ExportAsync(subject, new FileInfo(Path.Combine(folder, $"{subject}-export.zip")), cancellationToken);

        _out.WriteLine();
        _out.WriteLine($"3. Erasure request (Art. 17) — erasing {subject}:");
        var result = await _services.GetRequiredService<IErasureService>().EraseAsync(subject, cancellationToken);
        PrintErasure(result);

        _out.WriteLine();
        _out.WriteLine($"4. What {subject}'s data reads as now:");
        await ShowAfterErasureAsync(subject, result, cancellationToken);

        _out.WriteLine();
        _out.WriteLine("5. The signed erasure certificate:");
        if (result.Certificate is null)
        {
            Console.Error.WriteLine("error: the erasure did not complete; run the demo again to finish it.");
            return ExitCodes.Incomplete;
        }

        var certificatePath = Path.Combine(folder, $"{subject}-erasure.json");
        var publicKeyPath = Path.Combine(folder, "erasure-signing-key.pem");
        await WriteCertificateAsync(result.Certificate, certificatePath, cancellationToken);
        await File.WriteAllTextAsync(publicKeyPath, PublicKeyPem, cancellationToken);
        _out.WriteLine(Encoding.UTF8.GetString(result.Certificate.Json.Span));
        var valid = ErasureCertificateVerifier.Verify(result.Certificate, PublicKeyPem);
        _out.WriteLine($"Signature {(valid ? "verifies" : "DOES NOT verify")} with the public key in {publicKeyPath}.");
        _out.WriteLine($"Verify it yourself: openssl pkeyutl -verify -pubin -inkey {publicKeyPath} -rawin -in {certificatePath} -sigfile {certificatePath}.sig");
        return valid ? ExitCodes.Success : ExitCodes.SignatureInvalid;
    }

    public async ValueTask DisposeAsync() => await _services.DisposeAsync();

    private string PublicKeyPem => _services.GetRequiredService<IErasureCertificateIssuer>().ExportPublicKeyPem();

    private async Task ShowCiphertextAsync(string subject, CancellationToken cancellationToken)
    {
        string? email;
        await using (var db = await CreateDbAsync(cancellationToken))
        {
            email = await db.Customers.AsNoTracking().Where(c => c.CustomerNumber == subject).Select(c => c.Email).SingleAsync(cancellationToken);
        }

        byte[] column;
        await using (var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _databasePath, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString()))
        {
            await connection.OpenAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = $"SELECT \"{GdprEfCore.PersonalDataColumn}\" FROM Customers WHERE CustomerNumber = $subject";
            command.Parameters.AddWithValue("$subject", subject);
            column = (byte[])(await command.ExecuteScalarAsync(cancellationToken))!;
        }

        var envelopes = GdprEfCore.ReadEnvelopes(column);
        var (scope, envelope) = envelopes.First();
        var stored = envelope.Span;
        _out.WriteLine($"   Customers.{GdprEfCore.PersonalDataColumn} column: {column.Length} bytes, one envelope per retention scope ({string.Join(", ", envelopes.Keys)})");
        _out.WriteLine($"   The {scope} envelope (name, address, phone, e-mail, birth date): {stored.Length} bytes, {Convert.ToHexString(stored[..Math.Min(24, stored.Length)])}…");
        _out.WriteLine($"   (envelope v{stored[0]}, algorithm {stored[1]}, key version {stored[2] << 24 | stored[3] << 16 | stored[4] << 8 | stored[5]}; the application reads back the {email?.Length ?? 0}-character address)");
        var inFile = email is not null && ContainsBytes(_databasePath, Encoding.UTF8.GetBytes(email));
        _out.WriteLine($"   The address in plaintext anywhere in the database file: {(inFile ? "FOUND" : "no")}");
    }

    private async Task ShowAfterErasureAsync(string subject, ErasureResult result, CancellationToken cancellationToken)
    {
        await using var db = await CreateDbAsync(cancellationToken);
        var customer = await db.Customers.AsNoTracking().SingleOrDefaultAsync(c => c.CustomerNumber == subject, cancellationToken);
        var profileRows = await db.InterestProfiles.CountAsync(p => p.CustomerNumber == subject, cancellationToken);
        var invoice = await db.Invoices.AsNoTracking().FirstAsync(i => i.CustomerNumber == subject, cancellationToken);
        var tax = result.Scopes.FirstOrDefault(s => s.Scope == Policies.Tax);
        _out.WriteLine($"   Customer.Email:        {(customer is null ? "row deleted" : customer.Email == "[erased]" ? "reads as \"[erased]\" (its key is destroyed)" : "STILL READABLE")}");
        _out.WriteLine($"   InterestProfile rows:  {(profileRows == 0 ? "deleted (marketing policy deletes rows on erasure)" : $"{profileRows} left, unreadable")}");
        _out.WriteLine($"   Invoice.Amount:        {(invoice.Amount > 0 ? "readable" : "erased")}, retained until {tax?.RetainedUntil:yyyy-MM-dd} — {tax?.LegalBasis}");
    }

    private void PrintErasure(ErasureResult result)
    {
        foreach (var scope in result.Scopes)
        {
            var what = scope.Status switch
            {
                ScopeErasureStatus.Destroyed => $"destroyed (key version {scope.KeyVersion} at {scope.DestroyedAt:yyyy-MM-dd HH:mm:ss}Z)",
                ScopeErasureStatus.Retained => $"retained until {scope.RetainedUntil:yyyy-MM-dd}: {scope.LegalBasis}",
                ScopeErasureStatus.Held => "held by a legal hold",
                ScopeErasureStatus.KeyMissing => "KEY MISSING: rows hold values of this scope, but the key store has no key or tombstone for it",
                _ => $"FAILED ({scope.FailureType})",
            };
            _out.WriteLine($"   scope {scope.Scope,-10} {what}");
        }

        foreach (var source in result.Sources)
        {
            _out.WriteLine($"   source {source.Source,-9} {(source.Succeeded ? $"{source.RowsFound} row(s) found, {source.RowsDeleted} deleted, {source.ValuesReplaced} value(s) replaced" : $"FAILED ({source.FailureType})")}");
        }

        _out.WriteLine($"   outcome  {result.Outcome}; destroyed keys physically removed from the key store's files: {result.PhysicalRemoval}");
    }

    private async Task<List<string>> GetSubjectsAsync(CancellationToken cancellationToken)
    {
        await using var db = await CreateDbAsync(cancellationToken);
        var customers = db.Customers.Select(c => c.CustomerNumber);
        var others = db.Invoices.Select(i => i.CustomerNumber)
            .Union(db.ChatSessions.Select(c => c.CustomerNumber))
            .Union(db.CallRecords.Select(c => c.CustomerNumber))
            .Union(db.InterestProfiles.Select(p => p.CustomerNumber));
        return (await customers.Union(others).ToListAsync(cancellationToken)).Order(StringComparer.Ordinal).ToList();
    }

    private async Task RequireSubjectAsync(string subjectId, CancellationToken cancellationToken)
    {
        if (!(await GetSubjectsAsync(cancellationToken)).Contains(subjectId, StringComparer.Ordinal))
        {
            // Not echoing the id: it may be personal data typed by mistake.
            throw new SampleInputException("no customer with that number in the database (see the 'subjects' verb)");
        }
    }

    private static void RequireFolder(FileInfo file)
    {
        if (file.Directory is { Exists: false })
        {
            throw new SampleInputException($"the folder does not exist: {file.Directory.FullName}");
        }
    }

    private static async Task WriteCertificateAsync(SignedErasureCertificate certificate, string path, CancellationToken cancellationToken)
    {
        await File.WriteAllBytesAsync(path, certificate.Json.ToArray(), cancellationToken);
        await File.WriteAllBytesAsync(path + ".sig", certificate.Signature.ToArray(), cancellationToken);
    }

    private Task<ContactCenterDb> CreateDbAsync(CancellationToken cancellationToken)
        => _services.GetRequiredService<IDbContextFactory<ContactCenterDb>>().CreateDbContextAsync(cancellationToken);

    private static bool ContainsBytes(string databasePath, byte[] needle)
    {
        foreach (var path in new[] { databasePath, databasePath + "-wal", databasePath + "-journal" })
        {
            if (File.Exists(path) && File.ReadAllBytes(path).AsSpan().IndexOf(needle) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] LoadOrCreateSecret(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllBytes(path);
        }

        var secret = RandomNumberGenerator.GetBytes(32);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using (var stream = new FileStream(path, options))
        {
            stream.Write(secret);
        }

        return secret;
    }
}
