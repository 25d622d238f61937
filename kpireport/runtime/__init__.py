"""What differs between Windows and Linux, in one small layer: atomic writes, the workspace lock, the user's
cache folder, console output, and the optional use of several processes.

Stages may write files through ``atomic``; only the commands (kpireport.cli) take the lock, set up the
console and decide about processes.
"""
