using Gdpr.Keys;

namespace Gdpr.Testing;

/// <summary>The calls of <see cref="ISubjectKeyStore"/>, to say which one a <see cref="FaultInjectingSubjectKeyStore"/> fails, holds or counts.</summary>
public enum SubjectKeyStoreCall
{
    /// <summary><see cref="ISubjectKeyStore.GetStateAsync"/>.</summary>
    GetState,

    /// <summary><see cref="ISubjectKeyStore.GetStatesAsync"/>.</summary>
    GetStates,

    /// <summary><see cref="ISubjectKeyStore.AddKeyAsync"/>.</summary>
    AddKey,

    /// <summary><see cref="ISubjectKeyStore.AddKeysAsync"/>.</summary>
    AddKeys,

    /// <summary><see cref="ISubjectKeyStore.ShredAsync"/>.</summary>
    Shred,

    /// <summary><see cref="ISubjectKeyStore.GetScopesAsync"/>.</summary>
    GetScopes,

    /// <summary><see cref="ISubjectKeyStore.GetTombstonesAsync"/>.</summary>
    GetTombstones,

    /// <summary><see cref="ISubjectKeyStore.GetKeysWrappedWithAsync"/>.</summary>
    GetKeysWrappedWith,

    /// <summary><see cref="ISubjectKeyStore.ReplaceWrappingAsync"/>.</summary>
    ReplaceWrapping,

    /// <summary><see cref="ISubjectKeyStore.AddPseudonymKeyCheckAsync"/>.</summary>
    AddPseudonymKeyCheck,

    /// <summary><see cref="ISubjectKeyStore.GetKeyEncryptionKeyIdsInUseAsync"/>.</summary>
    GetKeyEncryptionKeyIdsInUse,

    /// <summary><see cref="ISubjectKeyStore.CompleteRemovalAsync"/>.</summary>
    CompleteRemoval,
}
