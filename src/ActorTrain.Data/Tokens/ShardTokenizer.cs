using ActorTrain.Data.Documents;
using ActorTrain.Tokenizers;

namespace ActorTrain.Data.Tokens;

/// <summary>
/// Tokenizes a stream of documents into a train and a validation packed shard. Documents are encoded
/// in parallel batches and written in their input order, so the output is the same on any core count.
/// Both files appear (atomically) only when complete: re-running after a crash starts clean.
/// </summary>
public static class ShardTokenizer
{
    private const int BatchDocuments = 256;

    public static TokenizedShard Tokenize(IEnumerable<Document> documents, ITextTokenizer tokenizer, ValidationSplit split, string trainPath, string validationPath)
    {
        using var train = new PackedShardWriter(trainPath, tokenizer.VocabularySize, tokenizer.EndOfText);
        using var validation = new PackedShardWriter(validationPath, tokenizer.VocabularySize, tokenizer.EndOfText);
        long trainBytes = 0, validationBytes = 0;
        foreach (var batch in documents.Chunk(BatchDocuments))
        {
            var encoded = batch.AsParallel().AsOrdered().Select(d => (Ids: tokenizer.Encode(d.Text), d.Text, Validation: split.IsValidation(d.Text))).ToArray();
            foreach (var (ids, text, isValidation) in encoded)
            {
                long bytes = System.Text.Encoding.UTF8.GetByteCount(text);
                if (isValidation)
                {
                    validation.AddDocument(ids);
                    validationBytes += bytes;
                }
                else
                {
                    train.AddDocument(ids);
                    trainBytes += bytes;
                }
            }
        }
        train.Complete();
        validation.Complete();
        return new TokenizedShard(trainPath, train.Tokens, train.Documents, trainBytes, validationPath, validation.Tokens, validation.Documents, validationBytes);
    }
}
