using Gdpr.Storage.EfCore.Model;
using Gdpr.Storage.EfCore.Keys;
using Microsoft.EntityFrameworkCore;

namespace Gdpr.Storage.EfCore;

/// <summary>Adds the key store's tables to an EF Core model.</summary>
public static class GdprKeyStoreModelBuilderExtensions
{
    // Table names are part of the documented schema (docs/key-store.md); changing them needs a migration.
    internal const string KeysTable = "gdpr_subject_keys";

    internal const string TombstonesTable = "gdpr_key_tombstones";

    internal const string KeyEncryptionKeysTable = "gdpr_key_encryption_keys";

    internal const string SettingsTable = "gdpr_key_store_settings";

    internal const int PseudonymMaxLength = GdprTableConventions.SubjectMaxLength;
    internal const int ScopeMaxLength = GdprTableConventions.ScopeMaxLength;
    internal const int KeyEncryptionKeyIdMaxLength = 200;
    internal const int SettingNameMaxLength = 64;
    internal const int SettingValueMaxLength = 128;

    /// <summary>
    /// Adds the key store's entity types (live keys, tombstones, key-encryption-key metadata, the store's own settings
    /// such as the pseudonym-key check value) to the model, so that
    /// an application's own DbContext can hold the key store; call it from <c>OnModelCreating</c>. The tables then
    /// come with <c>EnsureCreated</c> and with the application's next migration.
    /// </summary>
    /// <param name="modelBuilder">The model builder.</param>
    /// <param name="schema">The database schema of the tables, or <see langword="null"/> for the default one.</param>
    /// <returns>The model builder.</returns>
    public static ModelBuilder AddGdprKeyStore(this ModelBuilder modelBuilder, string? schema = null)
    {
        ArgumentNullException.ThrowIfNull(modelBuilder);

        modelBuilder.Entity<SubjectKeyRow>(key =>
        {
            key.ToTable(KeysTable, schema);

            // The primary key is the UNIQUE (pseudonym, scope) constraint: at most one live key per subject and
            // scope, which is what makes concurrent first writes from several processes converge on one key.
            key.HasKey(k => new { k.Pseudonym, k.Scope }).HasName("pk_gdpr_subject_keys");
            key.Property(k => k.Pseudonym).HasColumnName("pseudonym").HasMaxLength(PseudonymMaxLength).IsUnicode(false);
            key.Property(k => k.Scope).HasColumnName("scope").HasMaxLength(ScopeMaxLength);
            key.Property(k => k.Version).HasColumnName("version");
            key.Property(k => k.KeyEncryptionKeyId).HasColumnName("kek_id").HasMaxLength(KeyEncryptionKeyIdMaxLength).IsUnicode(false);
            key.Property(k => k.WrappedKey).HasColumnName("wrapped_key");
            key.Property(k => k.CreatedAtUtcTicks).HasColumnName("created_at_utc_ticks");

            // KEK rotation lists the keys wrapped under one KEK.
            key.HasIndex(k => k.KeyEncryptionKeyId).HasDatabaseName("ix_gdpr_subject_keys_kek_id");
        });

        modelBuilder.Entity<KeyTombstoneRow>(tombstone =>
        {
            tombstone.ToTable(TombstonesTable, schema);
            tombstone.HasKey(t => new { t.Pseudonym, t.Scope, t.Version }).HasName("pk_gdpr_key_tombstones");
            tombstone.Property(t => t.Pseudonym).HasColumnName("pseudonym").HasMaxLength(PseudonymMaxLength).IsUnicode(false);
            tombstone.Property(t => t.Scope).HasColumnName("scope").HasMaxLength(ScopeMaxLength);
            tombstone.Property(t => t.Version).HasColumnName("version");
            tombstone.Property(t => t.ShreddedAtUtcTicks).HasColumnName("shredded_at_utc_ticks");

            // A node that lost its shred notifications replays the recent tombstones.
            tombstone.HasIndex(t => t.ShreddedAtUtcTicks).HasDatabaseName("ix_gdpr_key_tombstones_shredded_at_utc_ticks");
        });

        modelBuilder.Entity<KeyEncryptionKeyRow>(kek =>
        {
            kek.ToTable(KeyEncryptionKeysTable, schema);
            kek.HasKey(k => k.KeyEncryptionKeyId).HasName("pk_gdpr_key_encryption_keys");
            kek.Property(k => k.KeyEncryptionKeyId).HasColumnName("kek_id").HasMaxLength(KeyEncryptionKeyIdMaxLength).IsUnicode(false);
            kek.Property(k => k.CreatedAtUtcTicks).HasColumnName("created_at_utc_ticks");
            kek.Property(k => k.RetiredAtUtcTicks).HasColumnName("retired_at_utc_ticks");
        });

        modelBuilder.Entity<KeyStoreSettingRow>(setting =>
        {
            setting.ToTable(SettingsTable, schema);
            setting.HasKey(x => x.Name).HasName("pk_gdpr_key_store_settings");
            setting.Property(x => x.Name).HasColumnName("name").HasMaxLength(SettingNameMaxLength).IsUnicode(false);
            setting.Property(x => x.Value).HasColumnName("value").HasMaxLength(SettingValueMaxLength).IsUnicode(false);
        });

        return modelBuilder;
    }
}
