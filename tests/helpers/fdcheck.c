/* fdcheck - print the open file descriptors of this process, one per line
 * (used by the integration tests to see what reaches the command) */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

int main(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int self;

	if (!d) {
		perror("fdcheck: /proc/self/fd");
		return 1;
	}
	self = dirfd(d);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.' && atoi(de->d_name) != self)
			printf("%s\n", de->d_name);
	closedir(d);
	return 0;
}
