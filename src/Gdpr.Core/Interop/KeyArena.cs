using System.Runtime.InteropServices;

namespace Gdpr.Interop;

/// <summary>
/// 32-byte key slots carved from a few large libsodium allocations. A slab comes from <c>sodium_malloc</c>, so it is
/// locked in memory (best effort), excluded from core dumps and fenced by guard pages, like NSec's per-key
/// allocations; a slot is zeroed the moment its key is released and then reused.
/// </summary>
/// <remarks>
/// What a slot gives up against a guarded allocation of its own is a guard page between two keys — protection
/// against a buffer overrun from a neighbour, where the only writer is this class copying exactly 32 bytes. In
/// exchange, a new key costs a lock and a copy instead of five system calls. Slabs are kept for the life of the
/// process: their number follows the peak count of live keys (the key cache's bound), 2,048 keys per 64 KiB slab.
/// </remarks>
internal sealed class KeyArena
{
    public const int SlotSize = 32;
    private const int SlotsPerSlab = 2048;

    private readonly Lock _lock = new();
    private readonly Stack<nint> _free = new();
    private int _slabs;

    public static KeyArena Shared { get; } = new();

    /// <summary>Slabs allocated so far (for tests).</summary>
    public int SlabCount => Volatile.Read(ref _slabs);

    /// <summary>Takes a free slot (uninitialized: the caller writes the key into it at once).</summary>
    public nint Rent()
    {
        lock (_lock)
        {
            if (_free.Count == 0)
            {
                Grow();
            }

            return _free.Pop();
        }
    }

    /// <summary>Wipes a slot and makes it available again.</summary>
    public void Return(nint slot)
    {
        Libsodium.sodium_memzero(slot, SlotSize);
        lock (_lock)
        {
            _free.Push(slot);
        }
    }

    private void Grow()
    {
        Libsodium.EnsureInitialized();
        var slab = Libsodium.sodium_malloc(SlotSize * SlotsPerSlab);
        if (slab == 0)
        {
            throw new InsufficientMemoryException("libsodium could not allocate memory for data keys.");
        }

        for (var i = SlotsPerSlab - 1; i >= 0; i--)
        {
            _free.Push(slab + (i * SlotSize));
        }

        Interlocked.Increment(ref _slabs);
    }
}

/// <summary>
/// One key in a <see cref="KeyArena"/> slot. A SafeHandle, so disposing it while another thread is inside an AEAD
/// call with it waits for that call (the slot is wiped and reused only after), and a call that starts after the
/// dispose fails with <see cref="ObjectDisposedException"/> — the same contract as NSec's keys.
/// </summary>
internal sealed class KeySlotHandle : SafeHandle
{
    private readonly KeyArena _arena;

    private KeySlotHandle(KeyArena arena)
        : base(0, ownsHandle: true)
    {
        _arena = arena;
    }

    public override bool IsInvalid => handle == 0;

    /// <summary>Copies a 32-byte key into a new slot.</summary>
    public static unsafe KeySlotHandle Create(ReadOnlySpan<byte> key, KeyArena? arena = null)
    {
        if (key.Length != KeyArena.SlotSize)
        {
            throw new ArgumentException($"A key takes {KeyArena.SlotSize} bytes.", nameof(key));
        }

        arena ??= KeyArena.Shared;
        var handle = new KeySlotHandle(arena);
        var slot = arena.Rent();
        key.CopyTo(new Span<byte>((void*)slot, KeyArena.SlotSize));
        handle.SetHandle(slot);
        return handle;
    }

    protected override bool ReleaseHandle()
    {
        _arena.Return(handle);
        return true;
    }
}
