/* commands: the entry point of each `userpipe <command>`. Each lives in its own file
 * in src/cmd/, parses its flags from its table and wires the parts together.
 * argv[0] is the command name; the return value is the exit status (0/1/2). */
#ifndef UP_CMD_COMMANDS_H
#define UP_CMD_COMMANDS_H

struct up_command {
    const char *name;
    const char *summary;
    int (*run)(int argc, char **argv);
};

/* The table main() dispatches on; defined in main.c. */
extern const struct up_command up_commands[];

int cmd_api(int argc, char **argv);
int cmd_produce(int argc, char **argv);
int cmd_ui(int argc, char **argv);
int cmd_stream(int argc, char **argv);
int cmd_redrive(int argc, char **argv);
int cmd_query(int argc, char **argv);
int cmd_verify(int argc, char **argv);

#endif
