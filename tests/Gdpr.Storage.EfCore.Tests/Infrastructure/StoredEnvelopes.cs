using System.Text;
using Gdpr.Storage.EfCore.Columns;

namespace Gdpr.Storage.EfCore.Tests.Infrastructure;

/// <summary>Reads one scope's record envelope out of a row's personal-data column, as a test inspecting the database would.</summary>
internal static class StoredEnvelopes
{
    /// <summary>The shadow property (and column) that holds a row's envelopes.</summary>
    public const string Column = Model.PersonalDataMembers.ColumnProperty;

    /// <summary>The scope's record envelope (empty when an erasure replaced it), or <see langword="null"/> when it has none.</summary>
    public static byte[]? Of(byte[]? column, string scope)
    {
        var cursor = 0;
        return column is not null && PersonalDataColumn.TryFind(column, Encoding.UTF8.GetBytes(scope), ref cursor, out var range) ? column[range] : null;
    }

    /// <summary>Where the scope's record envelope sits in the column; fails the test when it has none.</summary>
    public static Range RangeOf(byte[] column, string scope)
    {
        var cursor = 0;
        Assert.True(PersonalDataColumn.TryFind(column, Encoding.UTF8.GetBytes(scope), ref cursor, out var range), $"no record for scope {scope}");
        return range;
    }
}
