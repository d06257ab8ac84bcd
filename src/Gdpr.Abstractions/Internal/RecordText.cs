using System.Collections;
using System.Globalization;
using System.Reflection;
using System.Text;

namespace Gdpr.Internal;

/// <summary>
/// The body of a record's <c>ToString()</c> that shows what its collections hold (the compiler's prints only the
/// collection's type), and hides the members named as personal data. Every public property is printed, in
/// declaration order, so a member added later is printed too. Compiled into Gdpr.Abstractions and Gdpr.Core (linked).
/// </summary>
internal static class RecordText
{
    /// <summary>Appends <c>Name = value, ...</c> for every public instance property of <paramref name="record"/>.</summary>
    /// <param name="record">The record.</param>
    /// <param name="builder">The builder the record's ToString passes in.</param>
    /// <param name="hidden">Members that may hold personal data: printed as their type only.</param>
    /// <returns><see langword="true"/>, as PrintMembers must when it printed anything.</returns>
    public static bool PrintMembers(object record, StringBuilder builder, params string[] hidden)
    {
        var first = true;
        foreach (var property in record.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance).OrderBy(p => p.MetadataToken))
        {
            if (property.GetIndexParameters().Length != 0)
            {
                continue;
            }

            if (!first)
            {
                builder.Append(", ");
            }

            first = false;
            builder.Append(property.Name).Append(" = ");
            var value = property.GetValue(record);
            if (Array.IndexOf(hidden, property.Name) >= 0)
            {
                builder.Append(value is null ? "null" : $"[{value.GetType().Name}, hidden]");
            }
            else
            {
                Append(builder, value);
            }
        }

        return true;
    }

    private static void Append(StringBuilder builder, object? value)
    {
        switch (value)
        {
            case null:
                builder.Append("null");
                break;
            case string text:
                builder.Append(text);
                break;
            case IDictionary dictionary:
                builder.Append('{');
                var firstEntry = true;
                foreach (var key in dictionary.Keys.Cast<object>().OrderBy(k => k.ToString(), StringComparer.Ordinal))
                {
                    builder.Append(firstEntry ? " " : ", ");
                    firstEntry = false;
                    Append(builder, key);
                    builder.Append(" = ");
                    Append(builder, dictionary[key]);
                }

                builder.Append(firstEntry ? "}" : " }");
                break;
            case IEnumerable items:
                builder.Append('[');
                var firstItem = true;
                foreach (var item in items)
                {
                    builder.Append(firstItem ? string.Empty : ", ");
                    firstItem = false;
                    Append(builder, item);
                }

                builder.Append(']');
                break;
            case IFormattable formattable:
                builder.Append(formattable.ToString(null, CultureInfo.InvariantCulture));
                break;
            default:
                builder.Append(value);
                break;
        }
    }
}
