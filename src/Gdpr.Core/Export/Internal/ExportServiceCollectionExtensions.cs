using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gdpr.Export;

/// <summary>Registers the subject export; called by <see cref="GdprServiceCollectionExtensions.AddGdpr"/>.</summary>
internal static class ExportServiceCollectionExtensions
{
    internal static IServiceCollection AddGdprExport(this IServiceCollection services)
    {
        // Validated on first use here; ConfigureExport adds validation at start. An application that never exports
        // must not fail to start for lack of controller details.
        services.AddOptions<ExportOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<ExportOptions>, ExportOptionsValidator>());
        services.TryAddSingleton<IPersonalDataExporter, PersonalDataExporter>();
        return services;
    }
}
