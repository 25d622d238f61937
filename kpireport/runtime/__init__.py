"""What differs between Windows and Linux, in one small layer: atomic writes, the workspace lock, the user's
cache folder, console output, and the optional use of several processes.

Stages may write files through ``atomic``; only the library's jobs (kpireport.workspace) take the lock and
decide about processes; the commands (kpireport.cli) set up the console.
"""
