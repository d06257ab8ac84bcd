using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore.Interceptors;

/// <summary>
/// The contexts an erasure runs on (the data source's own, in a scope of its own). Their saves write each row's
/// personal-data column as the erasure left it: the erasure changes no value, it only deletes rows and blanks records
/// through <see cref="PersonalDataRowCodec.BlankScopes"/>, so the save encryptor has nothing to encrypt and its
/// comparison (a second decryption of every row read) is skipped.
/// </summary>
/// <remarks>
/// Skipping cannot store plaintext: annotated members are unmapped, so only the columns reach the database, and in
/// these contexts nothing but the erasure writes them.
/// </remarks>
internal static class ErasureContexts
{
    private static readonly ConditionalWeakTable<DbContext, object> Contexts = new();
    private static readonly object Marker = new();

    public static void Add(DbContext context) => Contexts.AddOrUpdate(context, Marker);

    public static bool Contains(DbContext context) => Contexts.TryGetValue(context, out _);
}
