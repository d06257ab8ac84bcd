using Gdpr.Retention;
using Gdpr.Storage.EfCore.Audit;
using Gdpr.Storage.EfCore.Erasure;
using Gdpr.Storage.EfCore.Keys;
using Gdpr.Storage.EfCore.Model;
using Gdpr.Storage.EfCore.Requests;
using Gdpr.Storage.EfCore.Retention;
using Gdpr.Storage.EfCore.Streams;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Gdpr.Storage.EfCore.Startup;

/// <summary>
/// Checks every DbContext the SDK was told about (<c>AddEfCoreDataSource</c>, <c>UseEfCore*</c>,
/// <c>AddEfCoreContext</c>) before it is used: the context is registered, with <c>UseGdpr</c>; its model maps no
/// <see cref="PersonalDataAttribute"/> member as a plain column; it has the tables of the stores it holds; and
/// every annotated member names a registered retention policy (and a legal obligation where it asks to be retained);
/// and a key store's engine has its dialect registered (PostgreSQL: <c>UseEfCorePostgreSql()</c>).
/// </summary>
/// <remarks>
/// Runs once: when the host starts (options validation, <see cref="EfCoreStartupValidator"/>), or without a host on
/// the first save, read, export, erasure or store access, whichever comes first. A failure is kept and thrown again
/// on every later use: nothing is written through a context that failed the check.
/// </remarks>
internal sealed class EfCoreStartupCheck
{
    private readonly IServiceProvider _services;
    private readonly EfCoreContextUse[] _uses;
    private readonly Lazy<bool> _result;

    public EfCoreStartupCheck(IServiceProvider services, IEnumerable<EfCoreContextUse> uses)
    {
        _services = services;
        _uses = [.. uses];
        _result = new Lazy<bool>(Run, LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Runs the check the first time; throws its failure every time.</summary>
    /// <exception cref="GdprRegistrationException">A context is not registered, lacks <c>UseGdpr</c> or a store's tables.</exception>
    /// <exception cref="PersonalDataModelException">An annotated member is a plain column or names a wrong retention policy.</exception>
    public void EnsureValid() => _ = _result.Value;

    private bool Run()
    {
        foreach (var group in _uses.GroupBy(u => u.ContextType))
        {
            Check(group.First(), [.. group.Select(u => u.Role).Distinct()]);
        }

        return true;
    }

    private void Check(EfCoreContextUse use, EfCoreContextRole[] roles)
    {
        var name = use.ContextType.Name;
        using var scope = _services.CreateScope();
        var (context, owned) = use.Create(scope.ServiceProvider);
        if (context is null)
        {
            throw new GdprRegistrationException(name, $"is not registered in the service collection: register it with AddEfCoreContext<{name}>(...) on the Gdpr builder (or with services.AddDbContextFactory<{name}>(...) and UseGdpr).");
        }

        try
        {
            if (use.ContextType != typeof(GdprKeyStoreDbContext) && !GdprDbContextOptionsBuilderExtensions.IsApplied(context.GetService<IDbContextOptions>()))
            {
                var plaintext = PlaintextMembers(context.Model);
                throw new GdprRegistrationException(
                    name,
                    (plaintext.Count == 0
                        ? "was registered without UseGdpr; every context the SDK uses needs it, so that no annotated member can ever be stored as plaintext"
                        : $"was registered without UseGdpr, so its [PersonalData] members would be stored as plaintext ({string.Join(", ", plaintext)})")
                    + $": call options.UseGdpr(sp) where the context is registered, or register it with AddEfCoreContext<{name}>(...) on the Gdpr builder.");
            }

            // Builds the model (the model step validates it) and refuses a member mapped as a plain column, which a
            // compiled model built without UseGdpr would cause.
            var model = context.Model;
            _ = PersonalDataModelMap.For(model);
            foreach (var role in roles)
            {
                CheckTables(name, model, role);
            }

            if (roles.Contains(EfCoreContextRole.KeyStore))
            {
                // Refuses an engine whose key-store dialect ships in a package that is not registered (PostgreSQL).
                _ = _services.GetRequiredService<KeyStoreDialects>().For(context, name);
            }

            CheckRetentionPolicies(model);
        }
        finally
        {
            if (owned)
            {
                context.Dispose();
            }
        }
    }

    private static List<string> PlaintextMembers(IModel model)
        => [.. model.GetEntityTypes()
            .Where(t => !t.HasSharedClrType)
            .SelectMany(t => PersonalDataMembers.GetPersonalData(t.ClrType)
                .Where(m => t.FindDeclaredProperty(m.Member.Name) is not null)
                .Select(m => t.ClrType.Name + "." + m.Member.Name))
            .Distinct(StringComparer.Ordinal)];

    private static void CheckTables(string name, IModel model, EfCoreContextRole role)
    {
        var (entity, call, registration) = role switch
        {
            EfCoreContextRole.KeyStore => (typeof(SubjectKeyRow), nameof(GdprKeyStoreModelBuilderExtensions.AddGdprKeyStore), nameof(EfCoreKeyStoreBuilderExtensions.UseEfCoreKeyStore)),
            EfCoreContextRole.AuditTrail => (typeof(AuditEntryRow), nameof(AuditModelBuilderExtensions.AddGdprAuditTrail), nameof(AuditModelBuilderExtensions.UseEfCoreAuditTrail)),
            EfCoreContextRole.RetentionSchedule => (typeof(RetentionScheduleRow), nameof(RetentionModelBuilderExtensions.AddGdprRetentionSchedule), nameof(RetentionModelBuilderExtensions.UseEfCoreRetentionSchedule)),
            EfCoreContextRole.LegalHolds => (typeof(LegalHoldRow), nameof(LegalHoldModelBuilderExtensions.AddGdprLegalHolds), nameof(LegalHoldModelBuilderExtensions.UseEfCoreLegalHolds)),
            EfCoreContextRole.DataSubjectRequests => (typeof(DataSubjectRequestRow), nameof(DataSubjectRequestModelBuilderExtensions.AddGdprDataSubjectRequests), nameof(DataSubjectRequestModelBuilderExtensions.UseEfCoreDataSubjectRequests)),
            EfCoreContextRole.BlobStore => (typeof(BlobRow), nameof(BlobStoreModelBuilderExtensions.AddGdprBlobStore), nameof(BlobStoreModelBuilderExtensions.UseEfCoreBlobStore)),
            _ => (null, null, null),
        };

        if (entity is null || model.FindEntityType(entity) is not null)
        {
            return;
        }

        // The blob tables are opt-in and not part of AddGdprTables (an application's next migration should not grow them unasked).
        var fix = role == EfCoreContextRole.BlobStore
            ? $"modelBuilder.{call}()"
            : $"modelBuilder.{nameof(GdprTablesModelBuilderExtensions.AddGdprTables)}() (or modelBuilder.{call}())";
        throw new GdprRegistrationException(
            name,
            $"{registration}<{name}> keeps its data in this context, but its model has no table for it: call {fix} in {name}.OnModelCreating.");
    }

    /// <summary>
    /// A scope whose name no policy registers falls under no obligation: an erasure destroys it at once. A typo
    /// ("tax" for "taxes") would so destroy records the law says to keep (GDPR Art. 17(3)(b)); it fails here instead.
    /// </summary>
    private void CheckRetentionPolicies(IModel model)
    {
        // The catalog erasure and the sweeper decide by: the check sees exactly the policies they will apply.
        var catalog = _services.GetRequiredService<RetentionPolicyCatalog>();

        foreach (var type in model.GetEntityTypes().Where(t => !t.HasSharedClrType).Select(t => t.ClrType).Distinct())
        {
            foreach (var (member, attribute) in PersonalDataMembers.GetPersonalData(type))
            {
                var scope = attribute.RetentionPolicy;
                catalog.TryGetConfigured(scope, out var policy);
                if (policy is null && scope != PersonalDataAttribute.DefaultRetentionPolicy)
                {
                    var registered = catalog.All.Count == 0 ? "none is registered" : "registered: " + string.Join(", ", catalog.All.Select(p => $"'{p.Name}'"));
                    throw new PersonalDataModelException(
                        type.Name,
                        member.Name,
                        $"names retention policy '{scope}', which is not registered ({registered}); register it with AddRetentionPolicy or correct the name. An unregistered scope is destroyed at once by an erasure.");
                }

                if (attribute.Erasure == ErasureAction.RetainUntilExpiry && policy is not { IsLegalObligation: true })
                {
                    throw new PersonalDataModelException(
                        type.Name,
                        member.Name,
                        $"is ErasureAction.RetainUntilExpiry, but its retention policy '{scope}' is not a legal obligation (RetentionPolicy.IsLegalObligation), so an erasure would destroy it at once; mark the policy as a legal obligation with its legal basis (GDPR Art. 17(3)(b)) or use ErasureAction.DestroyKey.");
                }
            }
        }
    }
}
