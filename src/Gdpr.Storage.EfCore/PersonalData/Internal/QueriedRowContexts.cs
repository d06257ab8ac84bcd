using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// Contexts whose tracked entities were all read by a query of the adapter's own (the legacy-plaintext pass), never
/// attached. A row read there with an empty personal-data column held no values when it was read, so its save needs
/// no look at the database for values a stub would leave untouched: one query per row fewer.
/// </summary>
internal static class QueriedRowContexts
{
    private static readonly ConditionalWeakTable<DbContext, object> Contexts = new();
    private static readonly object Marker = new();

    public static void Add(DbContext context) => Contexts.AddOrUpdate(context, Marker);

    public static bool Contains(DbContext context) => Contexts.TryGetValue(context, out _);
}
