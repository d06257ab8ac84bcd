namespace Gdpr;

/// <summary>
/// Components of the Gdpr SDK would run on their in-memory defaults, which lose every key, audit entry, retention
/// date and legal hold when the process ends, and the application did not opt in with
/// <see cref="GdprServiceCollectionExtensions.UseInMemoryStores"/>. Thrown when the host starts (or on the first key
/// operation without a host), naming each component and the call that gives it a persistent store.
/// </summary>
public sealed class InMemoryStoresNotAllowedException : GdprException
{
    /// <summary>Initializes a new instance of the <see cref="InMemoryStoresNotAllowedException"/> class.</summary>
    /// <param name="components">Each in-memory component with the call that replaces it, e.g. <c>key store (UseEfCoreKeyStore)</c>.</param>
    public InMemoryStoresNotAllowedException(IReadOnlyList<string> components)
        : base(BuildMessage(components))
    {
        Components = components;
    }

    /// <summary>Gets the in-memory components, each with the call that gives it a persistent store.</summary>
    public IReadOnlyList<string> Components { get; }

    private static string BuildMessage(IReadOnlyList<string> components)
    {
        ArgumentNullException.ThrowIfNull(components);
        return "These Gdpr components have no persistent store and would lose everything on restart: "
            + string.Join("; ", components)
            + ". Register a persistent store for each, or call UseInMemoryStores() on the Gdpr builder in tests and samples.";
    }
}
