C     Driver for E. Hairer and G. Wanner's RODAS (rodas.f, METH=1, the
C     coefficients of cubie's 'rodas4') on four problems of the IVP Test
C     Set (Mazzia & Magherini, release 2.4): HIRES, OREGO, VDPOL
C     (eps = 1e-6) and ROBER to t = 1e11, with the tolerances cubie's
C     scripts/testset-table.js uses: scalar RTOL, ATOL = RTOL * the
C     fixture's atolHint (ITOL=0), analytic Jacobian (IJAC=1), every
C     other setting RODAS's default (H=0 -> 1e-6, Gustafsson controller,
C     SAFE=0.9, 0.2 <= HNEW/H <= 6). One line per run:
C       problem rtol idid nstep naccpt nrejct ndec njac err
C     err is the final error in tolerance units,
C     max_i |y_i - ref_i| / (atol + rtol |ref_i|), as in cubie's table.
C     Reference values: test/fixtures/stiff/ivp-testset.json (the Test
C     Set's solut). Build and run: bench/baselines/rodas/run.sh.
      PROGRAM DRRODA
      IMPLICIT DOUBLE PRECISION (A-H,O-Z)
      PARAMETER (ND=8,LWORK=2*ND*ND+14*ND+20,LIWORK=ND+20)
      DIMENSION Y(ND),WORK(LWORK),IWORK(LIWORK),REF(ND),RPAR(1),IPAR(1)
      DIMENSION RTOL(1),ATOL(1)
      CHARACTER*5 NAME(4)
      EXTERNAL FPROB,JPROB,DUMMY
      DATA NAME /'hires','orego','vdpol','rober'/
      DO 30 IP=1,4
        DO 20 K=6,10
          CALL SETUP(IP,N,Y,X,XEND,HINT,REF)
          IPAR(1)=IP
          RTOL(1)=10.D0**(-K)
          ATOL(1)=RTOL(1)*HINT
          DO I=1,20
            IWORK(I)=0
            WORK(I)=0.D0
          END DO
          H=0.D0
          CALL RODAS(N,FPROB,0,X,Y,XEND,H,RTOL,ATOL,0,
     &         JPROB,1,N,N,DUMMY,0,DUMMY,0,N,N,DUMMY,0,
     &         WORK,LWORK,IWORK,LIWORK,RPAR,IPAR,IDID)
          ERR=0.D0
          DO I=1,N
            ERR=MAX(ERR,ABS(Y(I)-REF(I))/(ATOL(1)+RTOL(1)*ABS(REF(I))))
          END DO
          WRITE(6,99) NAME(IP),RTOL(1),IDID,(IWORK(I),I=16,19),
     &         IWORK(15),ERR
 20     CONTINUE
 30   CONTINUE
 99   FORMAT(A5,1X,1PE8.1,1X,I3,5(1X,I8),1X,1PE10.3)
      END
C
      SUBROUTINE SETUP(IP,N,Y,X,XEND,HINT,REF)
      IMPLICIT DOUBLE PRECISION (A-H,O-Z)
      DIMENSION Y(*),REF(*)
      X=0.D0
      GOTO (1,2,3,4), IP
   1  N=8
      DO I=1,8
        Y(I)=0.D0
      END DO
      Y(1)=1.D0
      Y(8)=0.0057D0
      XEND=321.8122D0
      HINT=1.D-4
      REF(1)=0.7371312573325668D-3
      REF(2)=0.1442485726316185D-3
      REF(3)=0.5888729740967575D-4
      REF(4)=0.1175651343283149D-2
      REF(5)=0.2386356198831331D-2
      REF(6)=0.6238968252742796D-2
      REF(7)=0.2849998395185769D-2
      REF(8)=0.2850001604814231D-2
      RETURN
   2  N=3
      Y(1)=1.D0
      Y(2)=2.D0
      Y(3)=3.D0
      XEND=360.D0
      HINT=1.D0
      REF(1)=0.1000814870318523D+1
      REF(2)=0.1228178521549917D+4
      REF(3)=0.1320554942846706D+3
      RETURN
   3  N=2
      Y(1)=2.D0
      Y(2)=0.D0
      XEND=2.D0
      HINT=1.D0
      REF(1)=0.1706167732170483D+1
      REF(2)=-0.8928097010247975D+0
      RETURN
   4  N=3
      Y(1)=1.D0
      Y(2)=0.D0
      Y(3)=0.D0
      XEND=1.D11
      HINT=1.D-4
      REF(1)=0.2083340149701255D-7
      REF(2)=0.8333360770334713D-13
      REF(3)=0.9999999791665050D+0
      RETURN
      END
C
      SUBROUTINE FPROB(N,X,Y,F,RPAR,IPAR)
      IMPLICIT DOUBLE PRECISION (A-H,O-Z)
      DIMENSION Y(N),F(N),RPAR(*),IPAR(*)
      PARAMETER (S=77.27D0,Q=8.375D-6,W=0.161D0,EPS=1.D-6)
      PARAMETER (RK1=0.04D0,RK2=3.D7,RK3=1.D4)
      GOTO (1,2,3,4), IPAR(1)
   1  F(1)=-1.71D0*Y(1)+0.43D0*Y(2)+8.32D0*Y(3)+0.0007D0
      F(2)=1.71D0*Y(1)-8.75D0*Y(2)
      F(3)=-10.03D0*Y(3)+0.43D0*Y(4)+0.035D0*Y(5)
      F(4)=8.32D0*Y(2)+1.71D0*Y(3)-1.12D0*Y(4)
      F(5)=-1.745D0*Y(5)+0.43D0*Y(6)+0.43D0*Y(7)
      F(6)=-280.D0*Y(6)*Y(8)+0.69D0*Y(4)+1.71D0*Y(5)-0.43D0*Y(6)
     &     +0.69D0*Y(7)
      F(7)=280.D0*Y(6)*Y(8)-1.81D0*Y(7)
      F(8)=-F(7)
      RETURN
   2  F(1)=S*(Y(2)+Y(1)*(1.D0-Q*Y(1)-Y(2)))
      F(2)=(Y(3)-(1.D0+Y(1))*Y(2))/S
      F(3)=W*(Y(1)-Y(3))
      RETURN
   3  F(1)=Y(2)
      F(2)=((1.D0-Y(1)**2)*Y(2)-Y(1))/EPS
      RETURN
   4  F(1)=-RK1*Y(1)+RK3*Y(2)*Y(3)
      F(2)=RK1*Y(1)-RK3*Y(2)*Y(3)-RK2*Y(2)**2
      F(3)=RK2*Y(2)**2
      RETURN
      END
C
      SUBROUTINE JPROB(N,X,Y,DFY,LDFY,RPAR,IPAR)
      IMPLICIT DOUBLE PRECISION (A-H,O-Z)
      DIMENSION Y(N),DFY(LDFY,N),RPAR(*),IPAR(*)
      PARAMETER (S=77.27D0,Q=8.375D-6,W=0.161D0,EPS=1.D-6)
      PARAMETER (RK1=0.04D0,RK2=3.D7,RK3=1.D4)
      DO J=1,N
        DO I=1,N
          DFY(I,J)=0.D0
        END DO
      END DO
      GOTO (1,2,3,4), IPAR(1)
   1  DFY(1,1)=-1.71D0
      DFY(1,2)=0.43D0
      DFY(1,3)=8.32D0
      DFY(2,1)=1.71D0
      DFY(2,2)=-8.75D0
      DFY(3,3)=-10.03D0
      DFY(3,4)=0.43D0
      DFY(3,5)=0.035D0
      DFY(4,2)=8.32D0
      DFY(4,3)=1.71D0
      DFY(4,4)=-1.12D0
      DFY(5,5)=-1.745D0
      DFY(5,6)=0.43D0
      DFY(5,7)=0.43D0
      DFY(6,4)=0.69D0
      DFY(6,5)=1.71D0
      DFY(6,6)=-0.43D0-280.D0*Y(8)
      DFY(6,7)=0.69D0
      DFY(6,8)=-280.D0*Y(6)
      DFY(7,6)=280.D0*Y(8)
      DFY(7,7)=-1.81D0
      DFY(7,8)=280.D0*Y(6)
      DFY(8,6)=-280.D0*Y(8)
      DFY(8,7)=1.81D0
      DFY(8,8)=-280.D0*Y(6)
      RETURN
   2  DFY(1,1)=S*(1.D0-2.D0*Q*Y(1)-Y(2))
      DFY(1,2)=S*(1.D0-Y(1))
      DFY(2,1)=-Y(2)/S
      DFY(2,2)=-(1.D0+Y(1))/S
      DFY(2,3)=1.D0/S
      DFY(3,1)=W
      DFY(3,3)=-W
      RETURN
   3  DFY(1,2)=1.D0
      DFY(2,1)=(-2.D0*Y(1)*Y(2)-1.D0)/EPS
      DFY(2,2)=(1.D0-Y(1)**2)/EPS
      RETURN
   4  DFY(1,1)=-RK1
      DFY(1,2)=RK3*Y(3)
      DFY(1,3)=RK3*Y(2)
      DFY(2,1)=RK1
      DFY(2,2)=-RK3*Y(3)-2.D0*RK2*Y(2)
      DFY(2,3)=-RK3*Y(2)
      DFY(3,2)=2.D0*RK2*Y(2)
      RETURN
      END
C
      SUBROUTINE DUMMY
      RETURN
      END
