namespace Gdpr.Export;

/// <summary>What a completed export wrote.</summary>
/// <param name="ValueCount">Values written, erased ones included.</param>
/// <param name="ErasedCount">Values written as erased (their key destroyed).</param>
/// <param name="FileCount">Values that are files (<c>byte[]</c>).</param>
public sealed record ExportSummary(int ValueCount, int ErasedCount, int FileCount);
