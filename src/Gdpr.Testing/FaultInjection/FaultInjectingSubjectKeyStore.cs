using System.Runtime.CompilerServices;
using Gdpr.Keys;

namespace Gdpr.Testing;

/// <summary>
/// An <see cref="ISubjectKeyStore"/> that forwards every call to a real store and lets a test fail, hold or count
/// chosen calls: a store outage mid-erasure, a crash after the store committed, two nodes' writes in a chosen order.
/// </summary>
/// <remarks>
/// <para>Rules act on the next calls of one kind, before the call reaches the inner store (it then never happens) or
/// after it returned (it happened: a crash after commit). Rules of one kind and phase apply in the order they were
/// added, one rule per call. Nothing here sleeps: to widen a race window, hold the call on a <see cref="CallGate"/>
/// and open it when the other side has got where the test wants it.</para>
/// <para>The methods are virtual: a test that needs a made-up answer rather than a failure derives from this class
/// and overrides the one call, forwarding the rest.</para>
/// </remarks>
public class FaultInjectingSubjectKeyStore : ISubjectKeyStore
{
    /// <summary>A <c>times</c> value that makes a rule apply to every later call.</summary>
    public const int EveryCall = int.MaxValue;

    private readonly Lock _lock = new();
    private readonly List<Rule> _rules = [];
    private readonly int[] _counts = new int[Enum.GetValues<SubjectKeyStoreCall>().Length];

    /// <summary>Initializes a new instance of the <see cref="FaultInjectingSubjectKeyStore"/> class.</summary>
    /// <param name="inner">The real store every call goes to.</param>
    public FaultInjectingSubjectKeyStore(ISubjectKeyStore inner)
    {
        ArgumentNullException.ThrowIfNull(inner);
        Inner = inner;
    }

    /// <summary>Gets the real store every call goes to.</summary>
    public ISubjectKeyStore Inner { get; }

    /// <summary>
    /// Gets or sets whether the batch calls (<see cref="GetStatesAsync"/>, <see cref="AddKeysAsync"/>) go one key at a
    /// time through <see cref="GetStateAsync"/> and <see cref="AddKeyAsync"/> (the interface's defaults), so that
    /// rules on the single calls act on batches too. By default they go to the inner store's batch calls.
    /// </summary>
    public bool SplitBatches { get; set; }

    /// <summary>Gets how many times a call has been made to this store.</summary>
    /// <param name="call">The call.</param>
    /// <returns>The number of calls so far, failed and held ones included.</returns>
    public int CallCount(SubjectKeyStoreCall call) => Volatile.Read(ref _counts[(int)call]);

    /// <summary>Fails the next calls before they reach the inner store (a store outage: nothing happened).</summary>
    /// <param name="call">The call to fail.</param>
    /// <param name="failure">Makes the exception to throw (a fresh one per call).</param>
    /// <param name="times">How many calls to fail; <see cref="EveryCall"/> for all.</param>
    public void FailBefore(SubjectKeyStoreCall call, Func<Exception> failure, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(failure);
        Before(call, _ => throw failure(), times);
    }

    /// <summary>Fails the next calls after the inner store did them (a crash after commit: it happened, the caller does not know).</summary>
    /// <param name="call">The call to fail.</param>
    /// <param name="failure">Makes the exception to throw (a fresh one per call).</param>
    /// <param name="times">How many calls to fail; <see cref="EveryCall"/> for all.</param>
    public void FailAfter(SubjectKeyStoreCall call, Func<Exception> failure, int times = 1)
    {
        ArgumentNullException.ThrowIfNull(failure);
        After(call, _ => throw failure(), times);
    }

    /// <summary>Holds the next calls before they reach the inner store until the returned gate opens.</summary>
    /// <param name="call">The call to hold.</param>
    /// <param name="times">How many calls the gate catches; <see cref="EveryCall"/> for all.</param>
    /// <returns>The gate, to wait for the calls' arrival and to open.</returns>
    public CallGate GateBefore(SubjectKeyStoreCall call, int times = 1)
    {
        var gate = new CallGate();
        Before(call, gate.PassAsync, times);
        return gate;
    }

    /// <summary>Holds the next calls after the inner store did them (their result not yet returned) until the returned gate opens.</summary>
    /// <param name="call">The call to hold.</param>
    /// <param name="times">How many calls the gate catches; <see cref="EveryCall"/> for all.</param>
    /// <returns>The gate, to wait for the calls' arrival and to open.</returns>
    public CallGate GateAfter(SubjectKeyStoreCall call, int times = 1)
    {
        var gate = new CallGate();
        After(call, gate.PassAsync, times);
        return gate;
    }

    /// <summary>Runs a hook before the next calls reach the inner store; the hook may throw (the call then fails) or wait.</summary>
    /// <param name="call">The call.</param>
    /// <param name="hook">The hook, given the call's cancellation token.</param>
    /// <param name="times">How many calls it runs for; <see cref="EveryCall"/> for all.</param>
    public void Before(SubjectKeyStoreCall call, Func<CancellationToken, ValueTask> hook, int times = 1) => AddRule(call, after: false, hook, times);

    /// <summary>Runs a hook after the inner store did the next calls, before their result returns; the hook may throw or wait.</summary>
    /// <param name="call">The call.</param>
    /// <param name="hook">The hook, given the call's cancellation token.</param>
    /// <param name="times">How many calls it runs for; <see cref="EveryCall"/> for all.</param>
    public void After(SubjectKeyStoreCall call, Func<CancellationToken, ValueTask> hook, int times = 1) => AddRule(call, after: true, hook, times);

    /// <inheritdoc/>
    public virtual async ValueTask<SubjectKeyState> GetStateAsync(SubjectPseudonym subject, string scope, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.GetState, cancellationToken);
        var state = await Inner.GetStateAsync(subject, scope, cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.GetState, cancellationToken);
        return state;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<IReadOnlyList<SubjectKeyState>> GetStatesAsync(IReadOnlyList<(SubjectPseudonym Subject, string Scope)> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await BeforeAsync(SubjectKeyStoreCall.GetStates, cancellationToken);
        IReadOnlyList<SubjectKeyState> states;
        if (SplitBatches)
        {
            var split = new SubjectKeyState[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                split[i] = await GetStateAsync(keys[i].Subject, keys[i].Scope, cancellationToken);
            }

            states = split;
        }
        else
        {
            states = await Inner.GetStatesAsync(keys, cancellationToken);
        }

        await AfterAsync(SubjectKeyStoreCall.GetStates, cancellationToken);
        return states;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<WrappedSubjectKey> AddKeyAsync(WrappedSubjectKey key, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.AddKey, cancellationToken);
        var kept = await Inner.AddKeyAsync(key, cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.AddKey, cancellationToken);
        return kept;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<IReadOnlyList<WrappedSubjectKey>> AddKeysAsync(IReadOnlyList<WrappedSubjectKey> keys, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        await BeforeAsync(SubjectKeyStoreCall.AddKeys, cancellationToken);
        IReadOnlyList<WrappedSubjectKey> kept;
        if (SplitBatches)
        {
            var split = new WrappedSubjectKey[keys.Count];
            for (var i = 0; i < keys.Count; i++)
            {
                split[i] = await AddKeyAsync(keys[i], cancellationToken);
            }

            kept = split;
        }
        else
        {
            kept = await Inner.AddKeysAsync(keys, cancellationToken);
        }

        await AfterAsync(SubjectKeyStoreCall.AddKeys, cancellationToken);
        return kept;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<KeyTombstone?> ShredAsync(SubjectPseudonym subject, string scope, DateTimeOffset shreddedAt, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.Shred, cancellationToken);
        var tombstone = await Inner.ShredAsync(subject, scope, shreddedAt, cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.Shred, cancellationToken);
        return tombstone;
    }

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<string> GetScopesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
        => ForwardAsync(SubjectKeyStoreCall.GetScopes, ct => Inner.GetScopesAsync(subject, ct), cancellationToken);

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<KeyTombstone> GetTombstonesAsync(SubjectPseudonym subject, CancellationToken cancellationToken = default)
        => ForwardAsync(SubjectKeyStoreCall.GetTombstones, ct => Inner.GetTombstonesAsync(subject, ct), cancellationToken);

    /// <inheritdoc/>
    public virtual IAsyncEnumerable<WrappedSubjectKey> GetKeysWrappedWithAsync(string keyEncryptionKeyId, CancellationToken cancellationToken = default)
        => ForwardAsync(SubjectKeyStoreCall.GetKeysWrappedWith, ct => Inner.GetKeysWrappedWithAsync(keyEncryptionKeyId, ct), cancellationToken);

    /// <inheritdoc/>
    public virtual async ValueTask<bool> ReplaceWrappingAsync(WrappedSubjectKey current, WrappedSubjectKey rewrapped, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.ReplaceWrapping, cancellationToken);
        var replaced = await Inner.ReplaceWrappingAsync(current, rewrapped, cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.ReplaceWrapping, cancellationToken);
        return replaced;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<string?> AddPseudonymKeyCheckAsync(string checkValue, CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.AddPseudonymKeyCheck, cancellationToken);
        var stored = await Inner.AddPseudonymKeyCheckAsync(checkValue, cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.AddPseudonymKeyCheck, cancellationToken);
        return stored;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<IReadOnlyList<string>?> GetKeyEncryptionKeyIdsInUseAsync(CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.GetKeyEncryptionKeyIdsInUse, cancellationToken);
        var ids = await Inner.GetKeyEncryptionKeyIdsInUseAsync(cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.GetKeyEncryptionKeyIdsInUse, cancellationToken);
        return ids;
    }

    /// <inheritdoc/>
    public virtual async ValueTask<KeyRemovalStatus> CompleteRemovalAsync(CancellationToken cancellationToken = default)
    {
        await BeforeAsync(SubjectKeyStoreCall.CompleteRemoval, cancellationToken);
        var status = await Inner.CompleteRemovalAsync(cancellationToken);
        await AfterAsync(SubjectKeyStoreCall.CompleteRemoval, cancellationToken);
        return status;
    }

    /// <summary>Counts a call and runs the rule due before it, if any (for an override that replaces the forwarding).</summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">The call's cancellation token.</param>
    /// <returns>A task that completes when the rule is done.</returns>
    protected ValueTask BeforeAsync(SubjectKeyStoreCall call, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _counts[(int)call]);
        return RunRuleAsync(call, after: false, cancellationToken);
    }

    /// <summary>Runs the rule due after a call, if any (for an override that replaces the forwarding).</summary>
    /// <param name="call">The call.</param>
    /// <param name="cancellationToken">The call's cancellation token.</param>
    /// <returns>A task that completes when the rule is done.</returns>
    protected ValueTask AfterAsync(SubjectKeyStoreCall call, CancellationToken cancellationToken)
        => RunRuleAsync(call, after: true, cancellationToken);

    private async IAsyncEnumerable<T> ForwardAsync<T>(SubjectKeyStoreCall call, Func<CancellationToken, IAsyncEnumerable<T>> inner, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await BeforeAsync(call, cancellationToken);
        await foreach (var item in inner(cancellationToken).WithCancellation(cancellationToken))
        {
            yield return item;
        }

        await AfterAsync(call, cancellationToken);
    }

    private void AddRule(SubjectKeyStoreCall call, bool after, Func<CancellationToken, ValueTask> hook, int times)
    {
        ArgumentNullException.ThrowIfNull(hook);
        ArgumentOutOfRangeException.ThrowIfLessThan(times, 1);
        lock (_lock)
        {
            _rules.Add(new Rule(call, after, hook) { Left = times });
        }
    }

    private ValueTask RunRuleAsync(SubjectKeyStoreCall call, bool after, CancellationToken cancellationToken)
    {
        Func<CancellationToken, ValueTask>? hook = null;
        lock (_lock)
        {
            foreach (var rule in _rules)
            {
                if (rule.Call == call && rule.After == after && rule.Left > 0)
                {
                    rule.Left -= rule.Left == EveryCall ? 0 : 1;
                    hook = rule.Hook;
                    break;
                }
            }
        }

        return hook is null ? ValueTask.CompletedTask : hook(cancellationToken);
    }

    private sealed class Rule(SubjectKeyStoreCall call, bool after, Func<CancellationToken, ValueTask> hook)
    {
        public SubjectKeyStoreCall Call { get; } = call;

        public bool After { get; } = after;

        public Func<CancellationToken, ValueTask> Hook { get; } = hook;

        public int Left { get; set; }
    }
}
