namespace Gdpr.Encryption;

/// <summary>A decrypted value, or the fact that it was erased (its key was destroyed).</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly struct FieldValue<T> : IEquatable<FieldValue<T>>
{
    private FieldValue(T? value, bool isErased)
    {
        Value = value;
        IsErased = isErased;
    }

    /// <summary>Gets the value that reads back for an erased field.</summary>
    public static FieldValue<T> Erased => new(default, isErased: true);

    /// <summary>Gets a value indicating whether the value was erased.</summary>
    public bool IsErased { get; }

    /// <summary>Gets the decrypted value; <see langword="default"/> when erased.</summary>
    public T? Value { get; }

    /// <summary>Wraps a decrypted value.</summary>
    /// <param name="value">The value.</param>
    /// <returns>A value that is not erased.</returns>
    public static FieldValue<T> Decrypted(T? value) => new(value, isErased: false);

    /// <summary>Returns the value, or <paramref name="replacement"/> when erased.</summary>
    /// <param name="replacement">What an erased value reads as.</param>
    /// <returns>The value or the replacement.</returns>
    public T? GetValueOrReplacement(T? replacement) => IsErased ? replacement : Value;

    /// <inheritdoc/>
    public bool Equals(FieldValue<T> other) => IsErased == other.IsErased && EqualityComparer<T?>.Default.Equals(Value, other.Value);

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is FieldValue<T> other && Equals(other);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(IsErased, Value);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>Whether they are equal.</returns>
    public static bool operator ==(FieldValue<T> left, FieldValue<T> right) => left.Equals(right);

    /// <summary>Compares two values.</summary>
    /// <param name="left">The first value.</param>
    /// <param name="right">The second value.</param>
    /// <returns>Whether they differ.</returns>
    public static bool operator !=(FieldValue<T> left, FieldValue<T> right) => !left.Equals(right);

    /// <summary>Says whether the value is erased, never the value itself (it is personal data).</summary>
    /// <returns>A text safe for logs.</returns>
    public override string ToString() => IsErased ? "[erased]" : "[personal data]";
}
