using Microsoft.Extensions.DependencyInjection;

namespace Gdpr;

/// <summary>Configures the Gdpr SDK after <see cref="GdprServiceCollectionExtensions.AddGdpr"/>: stores, key providers, data sources.</summary>
public interface IGdprBuilder
{
    /// <summary>Gets the service collection.</summary>
    IServiceCollection Services { get; }
}
