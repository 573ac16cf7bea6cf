#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
static double now(){struct timespec t;clock_gettime(CLOCK_MONOTONIC,&t);return t.tv_sec*1e6+t.tv_nsec/1e3;}
int main(int c, char**v){
  int N=20000; char b2[4096]; double t; int pfd=open("/proc",O_PATH|O_DIRECTORY); char p[64];
  for (int rep=0; rep<2; rep++) {
  snprintf(p,64,"%s/stat",v[1]);
  t=now(); for(int i=0;i<N;i++) {int f=openat(pfd,p,O_RDONLY); read(f,b2,4096); close(f);} printf("stat %.2f us\n",(now()-t)/N);
  snprintf(p,64,"%s/comm",v[1]);
  t=now(); for(int i=0;i<N;i++) {int f=openat(pfd,p,O_RDONLY); read(f,b2,4096); close(f);} printf("comm %.2f us\n",(now()-t)/N);
  snprintf(p,64,"%s/task",v[1]); struct stat st;
  t=now(); for(int i=0;i<N;i++) {fstatat(pfd,p,&st,AT_SYMLINK_NOFOLLOW);} printf("fstatat task %.2f us nlink %lu\n",(now()-t)/N, (unsigned long)st.st_nlink);
  snprintf(p,64,"%s/ns/net",v[1]);
  t=now(); for(int i=0;i<N;i++) readlinkat(pfd,p,b2,64); printf("readlinkat %.2f us\n",(now()-t)/N);
  }
}
