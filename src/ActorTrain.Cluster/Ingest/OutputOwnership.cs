namespace ActorTrain.Cluster.Ingest;

/// <summary>
/// Which job an output directory belongs to: a file naming the job, written when the job plans. Two jobs given the same
/// --output would otherwise write the same shard directories, chunks and outputs over each other, and the first one's
/// journal would go on saying "completed" over the second one's data.
/// </summary>
public static class OutputOwnership
{
    public const string FileName = "ingest-job";

    /// <summary>Claims <paramref name="output"/> for <paramref name="job"/>: an empty or missing directory, or one it already owns.</summary>
    /// <exception cref="IOException">Another job's directory, or one holding files of no job (not overwritten); named.</exception>
    public static void Claim(string output, string job)
    {
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                ClaimOnce(output, job);
                return;
            }
            // The claim this one waited on was withdrawn (its write failed): this one may go in now.
            catch (FileNotFoundException) when (attempt < 3)
            {
            }
        }
    }

    private static void ClaimOnce(string output, string job)
    {
        string owner = Path.Combine(output, FileName);
        if (File.Exists(owner))
        {
            HeldBy(owner, job);
            return;
        }
        // Only what this job's own request may have put there before it planned (a long source list, by older builds).
        if (Directory.Exists(output) && Directory.EnumerateFileSystemEntries(output).Any(entry => Path.GetFileName(entry) != Path.GetFileName(IngestPlan.SubmittedSourcesPath(output))))
            throw new IOException("it is not empty and belongs to no job, and its files are not overwritten; give an empty or new --output");
        Directory.CreateDirectory(output);
        // The owner file is created only if absent (O_EXCL): of two jobs claiming at once, one creation fails, and that
        // job reads who won. (.NET's File.Move without overwrite checks, then renames: both could win.)
        FileStream created;
        try
        {
            created = new FileStream(owner, FileMode.CreateNew, FileAccess.Write);
        }
        catch (IOException) when (File.Exists(owner))
        {
            HeldBy(owner, job);
            return;
        }
        try
        {
            using (created)
            {
                created.Write(System.Text.Encoding.UTF8.GetBytes(job + "\n"));
                created.Flush(flushToDisk: true);
            }
        }
        catch (Exception failed) when (failed is IOException or UnauthorizedAccessException)
        {
            // A full disk (or any failed write) must not leave an owner file naming nobody: the job could not claim its
            // own directory again once space is freed. The write's error is the one to tell, not the removal's.
            try
            {
                File.Delete(owner);
            }
            catch (IOException)
            {
            }
            throw;
        }
    }

    // Returns when the owner file names the job; throws naming the one it names otherwise.
    private static void HeldBy(string owner, string job)
    {
        // A claim being written has its file before its name: an empty file is read again for a while. One that stays
        // empty is a claim interrupted by a crash, left for the operator rather than taken over (both could then own).
        string other = "";
        for (int attempt = 0; attempt < 20 && (other = File.ReadAllText(owner).Trim()).Length == 0; attempt++) Thread.Sleep(100);
        if (other == job) return;
        if (other.Length == 0) throw new IOException($"{owner} names no job (a claim interrupted by a crash?); delete it if no job writes there");
        throw new IOException($"it is the output of job {other}; give this job an --output of its own");
    }
}
