using Gdpr.Storage.EfCore.Migrations;
using Gdpr.Storage.EfCore.Interceptors;
using Gdpr.Storage.EfCore.Model;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata.Conventions.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Gdpr.Storage.EfCore.DependencyInjection;

/// <summary>
/// What <c>UseGdpr</c> adds to a context's options, the way EF's own extensions plug in: the SDK's EF services
/// (the personal-data convention, the save and read interceptors) go into EF's internal service provider, and the
/// application's crypto services travel with the options, where both interceptors find them.
/// </summary>
/// <remarks>
/// Nothing is replaced: another library's <see cref="IModelCustomizer"/>, interceptors or conventions work beside
/// the SDK's. The EF services are stateless and the same for every application, so all contexts that use the SDK
/// share one internal service provider; the per-application part is only <see cref="Crypto"/>.
/// </remarks>
internal sealed class GdprDbContextOptionsExtension(Lazy<PersonalDataCrypto> crypto) : IDbContextOptionsExtension
{
    private DbContextOptionsExtensionInfo? _info;

    /// <summary>The crypto services of the application the options belong to, created on first save or read.</summary>
    public Lazy<PersonalDataCrypto> Crypto { get; } = crypto;

    public DbContextOptionsExtensionInfo Info => _info ??= new ExtensionInfo(this);

    public void ApplyServices(IServiceCollection services)
    {
        new EntityFrameworkServicesBuilder(services)
            .TryAdd<IConventionSetPlugin, PersonalDataConventionSetPlugin>()
            .TryAdd<ISingletonInterceptor, DecryptingBindingInterceptor>()
            .TryAdd<IInterceptor, EncryptingSaveChangesInterceptor>();
        PlaintextDropGuardDiffer.Decorate(services);
    }

    /// <summary>
    /// An application that supplies its own internal service provider (<c>UseInternalServiceProvider</c>) must have
    /// added the SDK's EF services to it; without them annotated members would be plain columns, so that is refused
    /// here, before any model is built.
    /// </summary>
    public void Validate(IDbContextOptions options)
    {
        if (options.FindExtension<CoreOptionsExtension>()?.InternalServiceProvider is not { } internalServiceProvider)
        {
            return;
        }

        using var scope = internalServiceProvider.CreateScope();
        if (scope.ServiceProvider.GetService<IEnumerable<IConventionSetPlugin>>()?.Any(p => p is PersonalDataConventionSetPlugin) != true)
        {
            throw new InvalidOperationException(
                "UseGdpr was called on options with their own internal service provider (UseInternalServiceProvider) that lacks the SDK's EF services; "
                + "let EF build the internal service provider, or call UseGdpr on the options that build it.");
        }
    }

    /// <summary>Finds the extension in a context's options; null when UseGdpr was not called.</summary>
    public static GdprDbContextOptionsExtension? Find(IDbContextOptions options) => options.FindExtension<GdprDbContextOptionsExtension>();

    /// <summary>The crypto services of the context's application; throws naming the context when UseGdpr was not called.</summary>
    public static PersonalDataCrypto CryptoFor(DbContext context)
        => Find(context.GetService<IDbContextOptions>())?.Crypto.Value
           ?? throw new PersonalDataModelException(context.GetType().Name, null, "reads or writes personal data without UseGdpr on its options.");

    private sealed class ExtensionInfo(IDbContextOptionsExtension extension) : DbContextOptionsExtensionInfo(extension)
    {
        public override bool IsDatabaseProvider => false;

        public override string LogFragment => "using Gdpr ";

        // The EF services are the same for every application: contexts of all of them share one internal provider.
        public override int GetServiceProviderHashCode() => 0;

        public override bool ShouldUseSameServiceProvider(DbContextOptionsExtensionInfo other) => other is ExtensionInfo;

        public override void PopulateDebugInfo(IDictionary<string, string> debugInfo)
            => debugInfo["Gdpr:PersonalData"] = "1";
    }
}
