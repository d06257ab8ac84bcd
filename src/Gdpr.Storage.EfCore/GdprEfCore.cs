namespace Gdpr.Storage.EfCore;

/// <summary>Identifies the EF Core storage adapter of the Gdpr SDK.</summary>
public static class GdprEfCore
{
    /// <summary>The name the adapter's data source reports in exports and erasure results.</summary>
    public const string SourceName = "efcore";
}
