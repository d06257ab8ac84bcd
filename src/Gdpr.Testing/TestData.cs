using System.Security.Cryptography;
using Gdpr.Keys;

namespace Gdpr.Testing;

/// <summary>Random test identities, so that tests sharing a store or a database never meet.</summary>
public static class TestData
{
    /// <summary>A fresh random subject id (not a real person's).</summary>
    /// <returns>The subject id.</returns>
    public static string NewSubjectId() => "subject-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>A fresh random pseudonym in the shape the engine produces (base64url of 32 bytes).</summary>
    /// <returns>The pseudonym.</returns>
    public static SubjectPseudonym NewPseudonym()
        => new(Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_'));

    /// <summary>Reads an asynchronous sequence into a list.</summary>
    /// <typeparam name="T">The item type.</typeparam>
    /// <param name="source">The sequence.</param>
    /// <returns>The items.</returns>
    public static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var list = new List<T>();
        await foreach (var item in source.ConfigureAwait(false))
        {
            list.Add(item);
        }

        return list;
    }
}
