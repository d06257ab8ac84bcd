namespace Gdpr.DependencyInjection;

/// <summary>Whether the application opted in to in-memory components (<see cref="GdprServiceCollectionExtensions.UseInMemoryStores"/>).</summary>
internal sealed class InMemoryStoresOptions
{
    public bool Allowed { get; set; }
}
