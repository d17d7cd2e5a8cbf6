using R1Actors.Policy;

namespace R1Actors.Adapters;

/// <summary>A pipeline prompt (plain text or chat messages) written in the replica's prompt format and tokenized.</summary>
public static class PromptEncoding
{
    public static IReadOnlyList<int> Encode(this PolicyReplica replica, PromptContent content) => content switch
    {
        TextPrompt text => replica.EncodePrompt(text.Text),
        ChatPrompt chat => replica.EncodePrompt(chat.Messages),
        _ => throw new ArgumentException($"prompt content {content.GetType().Name} cannot be written for the policy"),
    };
}
