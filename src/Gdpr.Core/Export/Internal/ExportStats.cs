using Gdpr.DataSources;

namespace Gdpr.Export;

/// <summary>What an export wrote so far; bounded by the number of distinct categories and sources, not by values.</summary>
internal sealed class ExportStats
{
    public int ValueCount { get; set; }

    public int ErasedCount { get; set; }

    public int FileCount { get; set; }

    public Dictionary<string, int> Categories { get; } = new(StringComparer.Ordinal);

    public List<string> Sources { get; } = [];

    public void Count(PersonalDataItem item)
    {
        ValueCount++;
        if (item.IsErased)
        {
            ErasedCount++;
        }
        else if (item.Value is byte[])
        {
            FileCount++;
        }

        ref var n = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(Categories, item.Category, out _);
        n++;
    }

    public ExportSummary ToSummary() => new(ValueCount, ErasedCount, FileCount);
}
