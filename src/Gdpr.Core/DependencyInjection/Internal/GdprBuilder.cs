using Microsoft.Extensions.DependencyInjection;

namespace Gdpr;

internal sealed class GdprBuilder(IServiceCollection services) : IGdprBuilder
{
    public IServiceCollection Services { get; } = services;
}
