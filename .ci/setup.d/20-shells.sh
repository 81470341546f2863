# The shells whose completion scripts keyhole generates: bash with the
# bash-completion package (the completion test presses tab in a real bash)
# and zsh (the test has it read the script).
ci_apt bash-completion zsh
